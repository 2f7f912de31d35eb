// The private network namespace the e2e run lives in: how to enter it, bring loopback up, and prove it holds only loopback.
//
// Interfaces are read from /proc/self/net/dev, which follows the reader's network namespace.
// /sys/class/net does not: it shows the namespace of whoever mounted sysfs (the host's, here).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

/** Set in the environment of the re-run inside the namespace; prevents recursion. */
export const NETNS_MARKER = 'SEALROOM_E2E_NETNS';

export function isInsideNamespace(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[NETNS_MARKER] === '1';
}

/** `unshare` arguments: root makes the namespace directly; others need an unprivileged user namespace. */
export function unshareArgs(): string[] {
  const root = process.getuid?.() === 0;
  return root ? ['--net'] : ['--map-root-user', '--net'];
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 127;
      resolve({ code, stdout, stderr: stderr.trim() || (error?.message ?? '') });
    });
  });
}

/** Tries the whole recipe once (create the namespace, bring lo up) and returns why it failed, if it did. */
export async function namespaceProblem(): Promise<string | undefined> {
  const probe = await exec('unshare', [...unshareArgs(), '--', 'ip', 'link', 'set', 'lo', 'up']);
  if (probe.code === 0) return undefined;
  const root = process.getuid?.() === 0;
  return [
    `cannot create a private network namespace (unshare ${unshareArgs().join(' ')} -- ip link set lo up: ${probe.stderr}).`,
    'Every e2e test that moves media must run in a namespace that holds only loopback; they are never skipped.',
    root
      ? 'Running as root, so the kernel or container refuses CLONE_NEWNET: run the container with CAP_SYS_ADMIN (e.g. docker --cap-add SYS_ADMIN, or a seccomp profile that allows unshare).'
      : 'Run as root, or enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces > 0; AppArmor: kernel.apparmor_restrict_unprivileged_userns=0).',
    'Needs util-linux (unshare) and iproute2 (ip).',
  ].join('\n');
}

export async function bringLoopbackUp(): Promise<void> {
  const result = await exec('ip', ['link', 'set', 'lo', 'up']);
  if (result.code !== 0) throw new Error(`ip link set lo up failed: ${result.stderr}`);
}

/** Names of every network interface in this process's namespace, up or down. */
export function interfacesInThisNamespace(): string[] {
  return readFileSync('/proc/self/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter((name) => name !== '')
    .sort();
}

/** IPv4 addresses of `lo`, as Node sees them (only interfaces that are up and addressed). */
export function loopbackIPv4(): string[] {
  return (networkInterfaces()['lo'] ?? []).filter((a) => a.family === 'IPv4').map((a) => a.address);
}

/** Throws unless the only interface is `lo` and it carries 127.0.0.1. */
export function assertLoopbackOnly(): void {
  const names = interfacesInThisNamespace();
  if (names.length !== 1 || names[0] !== 'lo') {
    throw new Error(`the namespace must hold only lo, but has: ${names.join(', ') || 'nothing'}`);
  }
  const others = Object.keys(networkInterfaces()).filter((name) => name !== 'lo');
  if (others.length > 0) throw new Error(`unexpected addressed interfaces: ${others.join(', ')}`);
  if (!loopbackIPv4().includes('127.0.0.1')) throw new Error('lo does not carry 127.0.0.1 (is it up?)');
}
