// axe-core (WCAG 2.x A and AA rules) run in a page, evaluated over CDP so the app's CSP does not apply to it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

export async function violations(page: Page, include?: string): Promise<Violation[]> {
  await page.evaluate(AXE_SOURCE);
  const context = include === undefined ? 'document' : JSON.stringify(include);
  return (await page.evaluate(`axe.run(${context}, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`)) as Violation[];
}
