// How the call view is laid out, as pure functions (unit-tested): the largest 16:9 tiles that fit a
// box, how many fit one page, which page of tiles is shown, and what fills the big stage: a shared
// screen first, else (in speaker view) the active speaker.
export const TILE_RATIO = 16 / 9;

export type LayoutMode = 'grid' | 'speaker';
export type View = 'grid' | 'speaker' | 'screen';

export interface Fit {
  cols: number;
  rows: number;
  /** Tile size in CSS pixels (0 when the box is empty). */
  width: number;
  height: number;
}

/** The biggest tiles of ratio TILE_RATIO for `count` tiles in a `boxWidth` x `boxHeight` box, `gap` apart. */
export function fitTiles(count: number, boxWidth: number, boxHeight: number, gap: number): Fit {
  let best: Fit = { cols: 1, rows: Math.max(1, count), width: 0, height: 0 };
  for (let cols = 1; cols <= Math.max(1, count); cols++) {
    const rows = Math.ceil(count / cols);
    const byWidth = (boxWidth - gap * (cols - 1)) / cols;
    const byHeight = ((boxHeight - gap * (rows - 1)) / rows) * TILE_RATIO;
    const width = Math.floor(Math.max(0, Math.min(byWidth, byHeight)));
    if (width > best.width) best = { cols, rows, width, height: Math.floor(width / TILE_RATIO) };
  }
  return best;
}

/** The most tiles (1 to `max`) that fit the box with every tile at least `minWidth` wide. */
export function pageCapacity(boxWidth: number, boxHeight: number, gap: number, minWidth: number, max: number): number {
  let capacity = 1;
  for (let n = 2; n <= max; n++) if (fitTiles(n, boxWidth, boxHeight, gap).width >= minWidth) capacity = n;
  return capacity;
}

/** How many tiles of height `height` fit side by side in a strip `width` wide (at least 1). */
export function stripCapacity(width: number, height: number, gap: number): number {
  const tile = height * TILE_RATIO;
  return Math.max(1, Math.floor((width + gap) / (tile + gap)));
}

export interface Page<T> {
  items: T[];
  /** Zero-based, clamped to the pages that exist. */
  page: number;
  pages: number;
}

export function paginate<T>(items: readonly T[], page: number, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / Math.max(1, size)));
  const clamped = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  return { items: items.slice(clamped * size, clamped * size + size), page: clamped, pages };
}

export interface Person {
  readonly id: string;
  readonly local: boolean;
}

/** Grid unless a screen is shared (screen view wins) or speaker view was chosen. */
export function viewOf(mode: LayoutMode, screens: number): View {
  return screens > 0 ? 'screen' : mode;
}

/** Speaker view's big tile: the last remote speaker while present, else the first remote, else oneself. */
export function focusOf<T extends Person>(people: readonly T[], lastSpeaker: string | undefined): T | undefined {
  return people.find((p) => !p.local && p.id === lastSpeaker) ?? people.find((p) => !p.local) ?? people[0];
}

/** The screen on the stage: the one chosen while it is shared, else the latest share. */
export function screenOf<T extends { readonly id: string }>(screens: readonly T[], chosen: string | undefined): T | undefined {
  return screens.find((s) => s.id === chosen) ?? screens.at(-1);
}
