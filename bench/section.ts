// The shape every benchmark section returns, and the table printer. Targets are reported, never
// asserted: a benchmark measures, tests decide.
export type Cell = string | number;

export interface BenchSection {
  /** Short id, also the key in the saved JSON. */
  readonly name: string;
  readonly title: string;
  readonly rows: readonly Record<string, Cell>[];
  /** Free-text notes printed under the table (method, environment, caveats). */
  readonly notes?: readonly string[];
}

export function formatTable(section: BenchSection): string {
  const columns = [...new Set(section.rows.flatMap((r) => Object.keys(r)))];
  const text = (c: Cell | undefined): string => (c === undefined ? '' : typeof c === 'number' ? formatNumber(c) : c);
  const widths = columns.map((col) => Math.max(col.length, ...section.rows.map((r) => text(r[col]).length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const out = [`## ${section.title}`, '', line(columns), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`];
  for (const row of section.rows) out.push(line(columns.map((c) => text(row[c]))));
  for (const note of section.notes ?? []) out.push(`  ${note}`);
  return out.join('\n');
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(1) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toFixed(4);
}
