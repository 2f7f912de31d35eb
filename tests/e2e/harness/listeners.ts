// The sockets a process holds, read from /proc: its file descriptors name socket inodes, and
// /proc/<pid>/net/{tcp,tcp6,udp,udp6} (the process's own network namespace) give each inode's local
// address and state. Used to prove that a server started by the harness listens only on loopback.
//
// /proc/net/tcp rows: `sl local_address rem_address st ...  uid timeout inode`; addresses are
// hex, IPv4 as one little-endian 32-bit word, IPv6 as four of them; state 0A is LISTEN.
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface BoundSocket {
  protocol: 'tcp' | 'udp';
  /** Dotted IPv4 or full-form IPv6 (e.g. 0000:...:0001). */
  address: string;
  port: number;
  /** TCP: in LISTEN state. UDP: bound and not connected to a peer (it receives from anyone). */
  listening: boolean;
}

const TCP_LISTEN = '0A';

/** The bytes of one little-endian 32-bit word of /proc/net's hex address, in network order. */
function wordBytes(hex: string): number[] {
  const word = Number.parseInt(hex, 16);
  return [word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, (word >>> 24) & 0xff];
}

function decodeAddress(hex: string): string {
  if (hex.length === 8) return wordBytes(hex).join('.');
  const bytes = [0, 8, 16, 24].flatMap((at) => wordBytes(hex.slice(at, at + 8)));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16).padStart(4, '0'));
  return groups.join(':');
}

async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) inodes.add(match[1]!);
  }
  return inodes;
}

/** The rows of one /proc/net table (tcp, tcp6, udp or udp6) whose inode is in `inodes`. */
export function parseProcNet(text: string, protocol: BoundSocket['protocol'], inodes: ReadonlySet<string>): BoundSocket[] {
  const found: BoundSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [local, remote, state, inode] = [fields[1], fields[2], fields[3], fields[9]];
    if (local === undefined || remote === undefined || state === undefined || inode === undefined || !inodes.has(inode)) continue;
    const [address = '', port = ''] = local.split(':');
    const listening = protocol === 'tcp' ? state === TCP_LISTEN : remote.split(':')[1] === '0000';
    found.push({ protocol, address: decodeAddress(address), port: Number.parseInt(port, 16), listening });
  }
  return found;
}

/** Every TCP and UDP socket (IPv4 and IPv6) that process `pid` holds. */
export async function boundSockets(pid: number): Promise<BoundSocket[]> {
  const inodes = await socketInodes(pid);
  const found: BoundSocket[] = [];
  for (const table of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    found.push(...parseProcNet(text, table.startsWith('tcp') ? 'tcp' : 'udp', inodes));
  }
  return found;
}

const LOOPBACK_V4 = /^127\./;
const LOOPBACK_V6 = '0000:0000:0000:0000:0000:0000:0000:0001';
/** ::ffff:127.x.y.z, an IPv4 loopback address on an IPv6 socket. */
const MAPPED_LOOPBACK_V4 = /^0000:0000:0000:0000:0000:ffff:7f/;

export const isLoopback = (address: string): boolean => LOOPBACK_V4.test(address) || address === LOOPBACK_V6 || MAPPED_LOOPBACK_V4.test(address);

/** The sockets of `pid` that accept packets or connections on an address other than loopback, as `tcp 0.0.0.0:7881`. */
export async function nonLoopbackListeners(pid: number): Promise<string[]> {
  return (await boundSockets(pid)).filter((s) => s.listening && !isLoopback(s.address)).map((s) => `${s.protocol} ${s.address}:${s.port}`);
}
