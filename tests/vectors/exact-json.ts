// JSON parsing that keeps every integer exact. JSON.parse turns 18446744073709551615 (2^64-1)
// into the double 18446744073709551616; here each integer literal outside a string is first
// rewritten as a marked string, then revived as a bigint. Non-integer numbers are refused: the
// vector files have none, and silently rounding one would defeat the point.

const MARK = '\u0000int:';
const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

export function parseJsonExact(text: string): unknown {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"') {
      const end = endOfString(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text);
      if (match === null) throw new Error(`bad number at offset ${i}`);
      if (match[1] !== undefined || match[2] !== undefined) throw new Error(`non-integer number ${match[0]} at offset ${i}`);
      out += `"\\u0000int:${match[0]}"`;
      i += match[0].length;
    } else {
      out += ch;
      i++;
    }
  }
  return JSON.parse(out, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(MARK) ? BigInt(value.slice(MARK.length)) : value,
  );
}
