// Geometry checks for any page (start page, lobby, dialogs), the counterpart of layout-check.ts for
// the call: nothing scrolls sideways, no visible control or text box sticks out of the viewport
// horizontally, no text is cut off inside its button, label or heading, and no two buttons overlap.
// Returns every problem found, in words.
import type { Page } from 'playwright-core';
import { overlaps, type Box } from './layout-check';

interface Measured {
  viewport: { width: number; height: number };
  scrollWidth: number;
  outside: string[];
  clipped: string[];
  buttons: (Box & { name: string })[];
}

const MEASURE = `(() => {
  const visible = (e) => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e); return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !e.closest('.sr-only'); };
  const name = (e) => e.tagName.toLowerCase() + (e.dataset.testid ? '[' + e.dataset.testid + ']' : '') + ' "' + (e.textContent ?? '').trim().slice(0, 40) + '"';
  const open = document.querySelector('dialog[open]');
  const root = open ?? document.body;
  const all = [...root.querySelectorAll('button, a, label, h1, h2, p, input, select, textarea, summary')].filter(visible);
  return {
    viewport: { width: window.innerWidth, height: window.innerHeight },
    scrollWidth: document.documentElement.scrollWidth,
    outside: all.filter((e) => { const r = e.getBoundingClientRect(); return r.left < -0.5 || r.right > window.innerWidth + 0.5; }).map(name),
    clipped: all.filter((e) => ['BUTTON', 'LABEL', 'H1', 'H2', 'SUMMARY'].includes(e.tagName) && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible').map(name),
    buttons: [...root.querySelectorAll('button')].filter(visible).map((b) => { const r = b.getBoundingClientRect(); return { name: name(b), x: r.x, y: r.y, width: r.width, height: r.height }; }),
  };
})()`;

export async function pageProblems(page: Page): Promise<string[]> {
  const m = (await page.evaluate(MEASURE)) as Measured;
  const problems: string[] = [];
  if (m.scrollWidth > m.viewport.width) problems.push(`the page scrolls sideways (${m.scrollWidth} > ${m.viewport.width})`);
  for (const e of m.outside) problems.push(`${e} sticks out of the viewport`);
  for (const e of m.clipped) problems.push(`${e} is cut off`);
  for (let i = 0; i < m.buttons.length; i++) for (let j = i + 1; j < m.buttons.length; j++) if (overlaps(m.buttons[i]!, m.buttons[j]!)) problems.push(`${m.buttons[i]!.name} overlaps ${m.buttons[j]!.name}`);
  return problems;
}
