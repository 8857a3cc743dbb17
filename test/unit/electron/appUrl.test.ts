import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createAppUrlPolicy } from '../../../electron/main/appUrl';
import { parseDesktopArgs } from '../../../electron/main/args';

const rendererDir = resolve('/opt/wardledger/out/renderer');
const fileUrl = (path: string) => pathToFileURL(path).href;

describe('app URL policy', () => {
  const policy = createAppUrlPolicy({ rendererDir });

  it('loads the built index.html as a file URL', () => {
    expect(policy.entryUrl).toBe(fileUrl(join(rendererDir, 'index.html')));
    expect(policy.isAppUrl(policy.entryUrl)).toBe(true);
  });

  it('accepts pages under the renderer directory, ignoring query and fragment', () => {
    expect(policy.isAppUrl(fileUrl(join(rendererDir, 'index.html')) + '#/ward')).toBe(true);
    expect(policy.isAppUrl(fileUrl(join(rendererDir, 'assets', 'x.js')) + '?v=1')).toBe(true);
  });

  it.each([
    ['another file on disk', 'file:///etc/passwd'],
    ['a sibling directory sharing the prefix', fileUrl(rendererDir + '-evil/index.html')],
    ['the renderer directory itself', fileUrl(rendererDir)],
    ['a path escaping with ..', pathToFileURL(rendererDir).href + '/../main/index.js'],
    ['an encoded .. escape', pathToFileURL(rendererDir).href + '/%2e%2e/main/index.js'],
    ['a network file URL', 'file://evil-host' + pathToFileURL(join(rendererDir, 'index.html')).pathname],
    ['a remote site', 'https://example.org/'],
    ['a data document', 'data:text/html,<script>1</script>'],
    ['garbage', 'not a url'],
    ['empty', ''],
  ])('rejects %s', (_label, url) => {
    expect(policy.isAppUrl(url)).toBe(false);
  });

  it('trusts the dev server origin only when one is configured', () => {
    const dev = createAppUrlPolicy({ rendererDir, devServerUrl: 'http://localhost:5173/' });
    expect(dev.entryUrl).toBe('http://localhost:5173/');
    expect(dev.isAppUrl('http://localhost:5173/#/login')).toBe(true);
    expect(dev.isAppUrl('http://localhost:5174/')).toBe(false);
    expect(dev.isAppUrl('https://localhost:5173/')).toBe(false);
    expect(policy.isAppUrl('http://localhost:5173/')).toBe(false);
  });

  it('ignores a dev server URL that is not http(s)', () => {
    const odd = createAppUrlPolicy({ rendererDir, devServerUrl: 'file:///tmp/' });
    expect(odd.entryUrl).toBe(fileUrl(join(rendererDir, 'index.html')));
    expect(odd.isAppUrl('file:///tmp/x.html')).toBe(false);
  });
});

describe('desktop arguments', () => {
  it('reads --data-dir in both spellings and --demo, ignoring Chromium switches', () => {
    expect(parseDesktopArgs(['/usr/bin/electron', '/app', '--no-sandbox', '--data-dir', 'ward', '--demo'], '/home/n')).toEqual({
      dataDir: resolve('/home/n/ward'),
      demo: true,
    });
    expect(parseDesktopArgs(['--data-dir=/srv/ward'], '/x')).toEqual({ dataDir: resolve('/srv/ward'), demo: false });
  });

  it('leaves the data dir unset when the flag has no value', () => {
    expect(parseDesktopArgs(['--data-dir'], '/x').dataDir).toBeNull();
    expect(parseDesktopArgs(['--data-dir', '--demo'], '/x')).toEqual({ dataDir: null, demo: true });
  });
});
