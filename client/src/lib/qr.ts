// Any short text as a QR code (byte mode, error correction M), drawn as one SVG path of unit
// squares, one per dark module, inside the standard 4-module quiet zone. Encoding is
// @paulmillr/qr's; nothing is fetched.
import { encodeQR } from '@paulmillr/qr';

/** Light modules around the symbol (ISO/IEC 18004 §6.3.8). */
export const QUIET_ZONE = 4;

export interface QrDrawing {
  /** What a scanner reads. */
  readonly text: string;
  /** Width and height in modules, quiet zone included (the SVG viewBox). */
  readonly size: number;
  /** `M x y h1 v1 h-1 z` for every dark module. */
  readonly path: string;
}

export function qrDrawing(text: string): QrDrawing {
  const rows = encodeQR(text, 'raw', { ecc: 'medium', encoding: 'byte', border: 0 });
  const squares: string[] = [];
  for (const [y, row] of rows.entries()) {
    for (const [x, dark] of row.entries()) if (dark) squares.push(`M${x + QUIET_ZONE} ${y + QUIET_ZONE}h1v1h-1z`);
  }
  return { text, size: rows.length + 2 * QUIET_ZONE, path: squares.join('') };
}
