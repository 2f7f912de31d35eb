// The e2e run's browser check (tests/e2e/harness/prepare.ts): a missing browser stops the run with
// the Debian package to install, before anything starts.
import { describe, expect, it } from 'vitest';
import { requireBrowser } from '../e2e/harness/prepare';

describe('requireBrowser', () => {
  it('names the Debian package to install when the browser is missing', async () => {
    await expect(requireBrowser('/nonexistent/firefox-esr', 'Firefox ESR', 'firefox-esr')).rejects.toThrow(
      "/nonexistent/firefox-esr not found: the browser tests need Debian's Firefox ESR: apt-get install firefox-esr",
    );
  });

  it('accepts an executable', async () => {
    await expect(requireBrowser(process.execPath, 'Node', 'nodejs')).resolves.toBeUndefined();
  });
});
