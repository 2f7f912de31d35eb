// Geometry checks on the call page as rendered: the controls stay inside the viewport, none of
// them overlaps another, they overlap neither the call view nor the header, every tile and shared
// screen sits inside the call view without overlapping another, and nothing scrolls sideways.
// Returns every problem found, in words, so a failing test says what is wrong.
import type { Page } from 'playwright-core';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Named extends Box {
  name: string;
}

interface Measured {
  viewport: { width: number; height: number };
  scrollWidth: number;
  scrollHeight: number;
  tallest: string[];
  controls: Named | null;
  buttons: Named[];
  header: Named | null;
  view: Named | null;
  items: Named[];
}

const MEASURE = `(() => {
  const box = (element, name) => { const r = element.getBoundingClientRect(); return { name, x: r.x, y: r.y, width: r.width, height: r.height }; };
  const one = (selector, name) => { const e = document.querySelector(selector); return e ? box(e, name) : null; };
  const view = document.querySelector('[data-testid=call-view]');
  return {
    viewport: { width: window.innerWidth, height: window.innerHeight },
    scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight,
    tallest: [...document.body.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().bottom > window.innerHeight + 1).slice(0, 5).map((e) => e.tagName + '.' + e.className),
    controls: one('[data-testid=controls]', 'controls'),
    buttons: [...document.querySelectorAll('[data-testid=controls] > button')].map((b) => box(b, b.getAttribute('data-testid') ?? b.textContent ?? 'button')),
    header: one('.call-header', 'header'),
    view: view ? box(view, 'call view') : null,
    items: view ? [...view.querySelectorAll('[data-testid=tile], [data-testid=screen-share]')].map((e) => box(e, (e.getAttribute('data-testid') ?? '') + ' ' + (e.getAttribute('data-participant') ?? ''))) : [],
  };
})()`;

/** Half a pixel of slack for subpixel layout. */
const SLACK = 0.5;

export function overlaps(a: Box, b: Box): boolean {
  return a.x + SLACK < b.x + b.width && b.x + SLACK < a.x + a.width && a.y + SLACK < b.y + b.height && b.y + SLACK < a.y + a.height;
}

function inside(inner: Box, outer: Box): boolean {
  return inner.x >= outer.x - SLACK && inner.y >= outer.y - SLACK && inner.x + inner.width <= outer.x + outer.width + SLACK && inner.y + inner.height <= outer.y + outer.height + SLACK;
}

function pairs<T>(list: readonly T[]): [T, T][] {
  return list.flatMap((a, i) => list.slice(i + 1).map((b): [T, T] => [a, b]));
}

export async function layoutProblems(page: Page): Promise<string[]> {
  const m = (await page.evaluate(MEASURE)) as Measured;
  const problems: string[] = [];
  const screen: Box = { x: 0, y: 0, ...m.viewport };
  if (!m.controls || !m.view || !m.header) return ['the call page is not showing (controls, call view or header missing)'];
  if (m.scrollWidth > m.viewport.width) problems.push(`the page scrolls sideways (${m.scrollWidth} > ${m.viewport.width})`);
  if (m.scrollHeight > m.viewport.height) problems.push(`the page scrolls (${m.scrollHeight} > ${m.viewport.height}): ${m.tallest.join(', ')}`);
  if (!inside(m.controls, screen)) problems.push('the controls are not all inside the viewport');
  for (const b of m.buttons) if (!inside(b, m.controls) || !inside(b, screen)) problems.push(`${b.name} sticks out of the controls or the viewport`);
  for (const [a, b] of pairs(m.buttons)) if (overlaps(a, b)) problems.push(`${a.name} overlaps ${b.name}`);
  for (const other of [m.view, m.header]) if (overlaps(m.controls, other)) problems.push(`the controls overlap the ${other.name}`);
  if (m.items.length === 0) problems.push('the call view shows no tile');
  for (const item of m.items) if (!inside(item, m.view)) problems.push(`${item.name} overflows the call view`);
  for (const [a, b] of pairs(m.items)) if (overlaps(a, b)) problems.push(`${a.name} overlaps ${b.name}`);
  return problems;
}
