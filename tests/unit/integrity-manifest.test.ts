// client/src/lib/integrity/manifest.ts and the build plugin's pure parts: the manifest format,
// its refusals, and Subresource Integrity on index.html.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addSubresourceIntegrity, stableSourceMap } from '../../client/build/integrity-plugin';
import { changedFiles, ManifestError, parseManifest, serializeManifest, type IntegrityManifest } from '../../client/src/lib/integrity/manifest';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const manifest: IntegrityManifest = { version: 1, algorithm: 'sha256', files: { '/index.html': A, '/assets/app.js': B } };

describe('integrity manifest', () => {
  it('serializes with sorted paths and parses back to the same manifest', () => {
    const text = serializeManifest(manifest);
    expect(text.indexOf('/assets/app.js')).toBeLessThan(text.indexOf('/index.html'));
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseManifest(text)).toEqual(manifest);
    expect(serializeManifest(parseManifest(text))).toBe(text);
  });

  it.each([
    ['text that is not JSON', '{', 'not JSON'],
    ['an array', '[]', 'unknown manifest version'],
    ['another version', JSON.stringify({ ...manifest, version: 2 }), 'unknown manifest version 2'],
    ['another algorithm', JSON.stringify({ ...manifest, algorithm: 'md5' }), 'unknown manifest algorithm'],
    ['no file table', JSON.stringify({ version: 1, algorithm: 'sha256' }), 'no file table'],
    ['a path that climbs out', JSON.stringify({ ...manifest, files: { '/index.html': A, '/../etc/passwd': A } }), 'bad path'],
    ['a relative path', JSON.stringify({ ...manifest, files: { '/index.html': A, 'app.js': A } }), 'bad path'],
    ['a short digest', JSON.stringify({ ...manifest, files: { '/index.html': 'abc' } }), 'bad SHA-256 for /index.html'],
    ['no index.html', JSON.stringify({ ...manifest, files: { '/app.js': A } }), 'does not list /index.html'],
  ])('refuses %s with a clear error', (_what, text, message) => {
    expect(() => parseManifest(text)).toThrow(ManifestError);
    expect(() => parseManifest(text)).toThrow(message);
  });

  it('names the files that changed, appeared or disappeared between two manifests', () => {
    const next: IntegrityManifest = { ...manifest, files: { '/index.html': B, '/assets/new.js': A } };
    expect(changedFiles(manifest, next)).toEqual(['/assets/app.js', '/assets/new.js', '/index.html']);
    expect(changedFiles(manifest, manifest)).toEqual([]);
  });
});

describe('subresource integrity on index.html', () => {
  const files: Record<string, string> = { '/assets/app.js': 'console.log(1)', '/assets/app.css': 'body{}', '/assets/chunk.js': 'export{}' };
  const read = (p: string) => Buffer.from(files[p] ?? '');
  const sri = (p: string) => `sha384-${createHash('sha384').update(read(p)).digest('base64')}`;

  it('adds sha384 integrity to each script, stylesheet and module preload, and crossorigin where missing', () => {
    const html = [
      '<link rel="icon" href="/favicon.svg">',
      '<script type="module" crossorigin src="/assets/app.js"></script>',
      '<link rel="stylesheet" href="/assets/app.css">',
      '<link rel="modulepreload" crossorigin href="/assets/chunk.js">',
    ].join('\n');
    const out = addSubresourceIntegrity(html, read);
    expect(out).toContain(`<link rel="icon" href="/favicon.svg">`);
    expect(out).toContain(`<script type="module" crossorigin src="/assets/app.js" integrity="${sri('/assets/app.js')}"></script>`);
    expect(out).toContain(`<link rel="stylesheet" href="/assets/app.css" integrity="${sri('/assets/app.css')}" crossorigin>`);
    expect(out).toContain(`<link rel="modulepreload" crossorigin href="/assets/chunk.js" integrity="${sri('/assets/chunk.js')}">`);
  });

  it('refuses a script from another origin, which a manifest cannot pin', () => {
    expect(() => addSubresourceIntegrity('<script src="https://cdn.example/x.js"></script>', read)).toThrow('from elsewhere');
    expect(() => addSubresourceIntegrity('<script src="//cdn.example/x.js"></script>', read)).toThrow('from elsewhere');
  });
});

describe('stable source maps', () => {
  it('replaces the per-folder file reference ids in sourcesContent and leaves other maps as they are', () => {
    const map = (id: string) => JSON.stringify({ version: 3, sources: ['a.wasm?url', 'b.ts'], sourcesContent: [`export default import.meta.ROLLDOWN_FILE_URL_${id}`, 'const x = 1;'], mappings: 'AAAA' });
    expect(stableSourceMap(map('WPGYjwIlzWVNM1bYhOc83w'))).toBe(stableSourceMap(map('FKNdLzKnlftW3t_gzo81yw')));
    expect(JSON.parse(stableSourceMap(map('abc'))).sourcesContent).toEqual(['export default import.meta.ROLLDOWN_FILE_URL', 'const x = 1;']);
    const plain = JSON.stringify({ version: 3, sources: ['b.ts'], sourcesContent: ['const x = 1;'], mappings: 'AAAA' });
    expect(stableSourceMap(plain)).toBe(plain);
  });
});
