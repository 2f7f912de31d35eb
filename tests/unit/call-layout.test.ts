import { describe, expect, it } from 'vitest';
import { fitTiles, focusOf, pageCapacity, paginate, screenOf, stripCapacity, TILE_RATIO, viewOf } from '../../client/src/lib/layout';
import { deviceAfterChange } from '../../client/src/lib/media/devices';

const people = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i === 0 ? 'me' : `p${i}`, local: i === 0 }));

describe('call layout', () => {
  it('gives one person the whole box, bounded by its height', () => {
    expect(fitTiles(1, 1600, 450, 12)).toEqual({ cols: 1, rows: 1, width: 800, height: 450 });
    expect(fitTiles(1, 800, 900, 12)).toEqual({ cols: 1, rows: 1, width: 800, height: 450 });
  });

  it('picks the column count that makes the biggest tiles, gaps included', () => {
    expect(fitTiles(4, 1000, 600, 10)).toMatchObject({ cols: 2, rows: 2 });
    expect(fitTiles(4, 2000, 300, 10)).toMatchObject({ cols: 4, rows: 1 });
    expect(fitTiles(4, 400, 1200, 10)).toMatchObject({ cols: 1, rows: 4 });
    for (const n of [2, 3, 7, 16, 25]) {
      const fit = fitTiles(n, 900, 640, 12);
      expect(fit.cols * fit.rows).toBeGreaterThanOrEqual(n);
      expect(fit.cols * fit.width + (fit.cols - 1) * 12).toBeLessThanOrEqual(900);
      expect(fit.rows * fit.height + (fit.rows - 1) * 12).toBeLessThanOrEqual(640);
      expect(Math.abs(fit.width / TILE_RATIO - fit.height)).toBeLessThanOrEqual(1);
    }
  });

  it('has no tile size in an empty box', () => {
    expect(fitTiles(3, 0, 0, 12).width).toBe(0);
  });

  it('puts on a page as many tiles as stay at least the minimum width, and no more', () => {
    const wide = pageCapacity(900, 640, 12, 220, 25);
    expect(fitTiles(wide, 900, 640, 12).width).toBeGreaterThanOrEqual(220);
    expect(fitTiles(wide + 1, 900, 640, 12).width).toBeLessThan(220);
    expect(pageCapacity(900, 640, 12, 150, 25)).toBeGreaterThan(wide);
    expect(pageCapacity(560, 500, 12, 220, 25)).toBeLessThan(wide);
    expect(pageCapacity(100, 60, 12, 220, 25)).toBe(1);
    expect(pageCapacity(4000, 3000, 12, 100, 25)).toBe(25);
  });

  it('pages 50 people and clamps the page to those that exist', () => {
    const all = people(50);
    const first = paginate(all, 0, 12);
    expect(first).toMatchObject({ page: 0, pages: 5 });
    expect(first.items[0]?.id).toBe('me');
    expect(paginate(all, 4, 12).items.map((p) => p.id)).toEqual(['p48', 'p49']);
    expect(paginate(all, 9, 12).page).toBe(4);
    expect(paginate(all, -3, 12).page).toBe(0);
    const seen = Array.from({ length: 5 }, (_, page) => paginate(all, page, 12).items).flat();
    expect(new Set(seen.map((p) => p.id)).size).toBe(50);
    expect(paginate([], 0, 12)).toEqual({ items: [], page: 0, pages: 1 });
  });

  it('fits strip tiles side by side, at least one', () => {
    expect(stripCapacity(1000, 90, 10)).toBe(5);
    expect(stripCapacity(1010, 90, 10)).toBe(6);
    expect(stripCapacity(100, 90, 10)).toBe(1);
  });

  it('shows a shared screen whatever the mode, else the chosen mode', () => {
    expect(viewOf('grid', 1)).toBe('screen');
    expect(viewOf('speaker', 2)).toBe('screen');
    expect(viewOf('speaker', 0)).toBe('speaker');
    expect(viewOf('grid', 0)).toBe('grid');
  });

  it('focuses the last remote speaker, else the first remote, else oneself', () => {
    const all = people(4);
    expect(focusOf(all, 'p2')?.id).toBe('p2');
    expect(focusOf(all, 'gone')?.id).toBe('p1');
    expect(focusOf(all, 'me')?.id).toBe('p1');
    expect(focusOf(people(1), undefined)?.id).toBe('me');
    expect(focusOf([], undefined)).toBeUndefined();
  });

  it('puts the chosen screen on the stage while it is shared, else the latest share', () => {
    const screens = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    expect(screenOf(screens, 'a')?.id).toBe('a');
    expect(screenOf(screens, 'gone')?.id).toBe('c');
    expect(screenOf(screens, undefined)?.id).toBe('c');
    expect(screenOf([], 'a')).toBeUndefined();
  });
});

describe('device choice after a hot-plug', () => {
  const list = (...ids: string[]) => ids.map((deviceId) => ({ deviceId }));

  it('keeps the chosen device while it is there', () => {
    expect(deviceAfterChange(list('default', 'a', 'b'), 'b')).toBe('b');
  });

  it('falls back to the default, else the first, else none', () => {
    expect(deviceAfterChange(list('a', 'default'), 'gone')).toBe('default');
    expect(deviceAfterChange(list('a', 'b'), 'gone')).toBe('a');
    expect(deviceAfterChange([], 'gone')).toBe('');
  });
});
