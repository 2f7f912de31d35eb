// Where a request comes from, for the limits counted per client (room creation, lobby places):
// the address itself, and its network — the IPv6 /64 it sits in (a home or office gets a whole
// /64 and can rotate addresses inside it for free), or the IPv4 address itself. IPv4-mapped IPv6
// addresses (::ffff:a.b.c.d) count as the IPv4 address. Pure.
import { isIPv4, isIPv6 } from 'node:net';

export interface ClientAddress {
  /** Canonical text of the address. */
  readonly address: string;
  /** The /64 of an IPv6 address ("2001:db8:0:1::/64"); an IPv4 address is its own network. */
  readonly net64: string;
}

export const UNKNOWN_ADDRESS: ClientAddress = { address: 'unknown', net64: 'unknown' };

/** The eight 16-bit groups of an IPv6 address, or null. */
function groups(text: string): number[] | null {
  if (!isIPv6(text)) return null;
  let s = text.split('%')[0]!;
  // A trailing dotted IPv4 part becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const o = v4[1]!.split('.').map(Number);
    s = s.slice(0, -v4[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':').filter((x) => x !== '') : [];
  const t = tail ? tail.split(':').filter((x) => x !== '') : [];
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  const all = [...h, ...fill, ...t].map((x) => parseInt(x, 16));
  return all.length === 8 && all.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff) ? all : null;
}

export function clientAddress(raw: string | undefined): ClientAddress {
  if (raw === undefined || raw === '') return UNKNOWN_ADDRESS;
  const text = raw.trim();
  if (isIPv4(text)) return { address: text, net64: text };
  const g = groups(text);
  if (g === null) return { address: text, net64: text };
  // ::ffff:a.b.c.d is an IPv4 client seen through a dual-stack socket.
  if (g.slice(0, 5).every((n) => n === 0) && g[5] === 0xffff) {
    const v4 = `${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`;
    return { address: v4, net64: v4 };
  }
  const hex = g.map((n) => n.toString(16));
  return { address: hex.join(':'), net64: `${hex.slice(0, 4).join(':')}::/64` };
}

/**
 * The client address of an upgrade request, following express's `trust proxy` setting as far as
 * this server needs it: undefined/false → the socket's peer; true → the left-most X-Forwarded-For
 * entry; a number n → the entry n hops from the right; a string (addresses or express's names
 * such as "loopback") → the right-most entry, when the peer is a loopback address or listed.
 */
export function upgradeAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trustProxy: boolean | number | string | undefined): ClientAddress {
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const hops = header === undefined ? [] : header.split(',').map((h) => h.trim()).filter((h) => h !== '');
  if (trustProxy === undefined || trustProxy === false || hops.length === 0) return clientAddress(peer);
  if (trustProxy === true) return clientAddress(hops[0]);
  if (typeof trustProxy === 'number') return clientAddress(trustProxy <= 0 ? peer : (hops[Math.max(0, hops.length - trustProxy)] ?? peer));
  const trusted = trustProxy.split(',').map((t) => t.trim());
  const p = clientAddress(peer).address;
  const loopback = p === '127.0.0.1' || p === '0:0:0:0:0:0:0:1' || p.startsWith('127.');
  return trusted.includes(p) || (loopback && trusted.some((t) => t === 'loopback' || t === 'localhost')) ? clientAddress(hops.at(-1)) : clientAddress(peer);
}
