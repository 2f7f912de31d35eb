// The engine harness itself (harness/engines.ts, harness/firefox.ts): each engine starts on a fresh
// profile behind the same page API, and close() deletes that profile; a Firefox launch that fails
// or hangs rejects within its deadline and leaves no profile or process behind (a thrown launch
// once kept node alive for minutes).
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINES, launchEngine } from './harness/engines';
import { launchFirefox, profilePrefix } from './harness/firefox';

const USER_AGENT = { chromium: /Chrome\//, firefox: /Firefox\// } as const;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

/** Profile directories in the temp dir whose names start with `prefix`. */
async function profiles(prefix: string): Promise<string[]> {
  return (await readdir(dirname(prefix))).filter((entry) => entry.startsWith(basename(prefix)));
}

/** Ids of live processes whose command line mentions `path`. */
async function processesRunning(path: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(path)) found.push(Number(entry));
  }
  return found;
}

describe('the engine harness', () => {
  for (const engine of ENGINES) {
    it(`drives ${engine} through the common page API and deletes its profile on close`, async () => {
      const name = `probe-${randomBytes(3).toString('hex')}`;
      const prefix = engine === 'firefox' ? profilePrefix(name) : join(tmpdir(), `sealroom-e2e-${name}-`);
      const person = await launchEngine(engine, name, 'http://127.0.0.1:9', { initScripts: ['window.__probe = 41 + 1;'] });
      const shot = join(tmpdir(), `${name}.png`);
      try {
        expect(await profiles(prefix)).toHaveLength(1);
        await person.page.goto('data:text/html,<input id=name><button id=go onclick="document.title=document.getElementById(\'name\').value">go</button>');
        expect(await person.page.evaluate('navigator.userAgent')).toMatch(USER_AGENT[engine]);
        expect(await person.page.evaluate('window.__probe')).toBe(42);
        await person.page.fill('#name', 'typed');
        await person.page.click('#go');
        expect(await person.page.evaluate('document.title')).toBe('typed');
        expect(await person.page.evaluate('Promise.resolve(typeof RTCRtpScriptTransform)')).toBe('function');
        await person.page.screenshot(shot);
        expect((await readFile(shot)).subarray(0, 4)).toEqual(PNG);
      } finally {
        await person.close();
        await rm(shot, { force: true });
      }
      await person.close(); // a second close is harmless
      expect(await profiles(prefix)).toEqual([]);
    });
  }

  it('rejects a Firefox that cannot start, or never answers, within the deadline, and deletes its profile', async () => {
    const hanging = join(tmpdir(), `sealroom-e2e-hanging-${randomBytes(3).toString('hex')}`);
    await writeFile(hanging, '#!/bin/sh\nwhile :; do sleep 1; done\n');
    await chmod(hanging, 0o755);
    try {
      for (const [what, executablePath] of [['exits at once', '/bin/false'], ['never answers', hanging]] as const) {
        const name = `broken-${randomBytes(3).toString('hex')}`;
        await expect(launchFirefox(name, { executablePath, timeoutMs: 3_000 }), what).rejects.toThrow();
        expect(await profiles(profilePrefix(name)), what).toEqual([]);
      }
      expect(await processesRunning(hanging)).toEqual([]);
    } finally {
      await rm(hanging, { force: true });
    }
  });
});
