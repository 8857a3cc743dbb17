import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { contentSecurityPolicy } from './electron/common/contentSecurityPolicy';

/**
 * The built renderer carries its CSP in a <meta> too: Electron loads it from file://, where
 * response headers may not apply. (frame-ancestors is header-only, so it is left out here.)
 * Dev builds skip it so the dev server's injected client keeps working.
 */
function cspMeta(): Plugin {
  const policy = contentSecurityPolicy.replace(/;?\s*frame-ancestors [^;]*/, '');
  return {
    name: 'wardledger-csp-meta',
    apply: 'build',
    transformIndexHtml: (html) => html.replace('<head>', `<head>\n    <meta http-equiv="Content-Security-Policy" content="${policy}" />`),
  };
}

/**
 * One build for both shells:
 *  - main: the Electron main process (index) and the Node command line / browser-mode server (cli),
 *    both hosting the same core;
 *  - preload: the sandboxed bridge (CommonJS, as sandboxed preloads require);
 *  - renderer: the Vue app, served by Electron or by the loopback server.
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Pure ES modules of many small files are bundled in: one file to read and compile instead
      // of hundreds to resolve (ethers alone took 0.25–0.3 s of the start). Packages with native
      // parts or files of their own (ganache, classic-level, node-hid, WebAssembly) stay outside.
      externalizeDeps: { exclude: ['ethers', 'zod', '@noble/curves', '@noble/hashes', '@noble/ciphers'] },
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'electron/main/index.ts'),
          cli: resolve(__dirname, 'electron/cli/index.ts'),
          // The ward chain's thread (ganache), started by the core (electron/core/chain/chainWorkerClient.ts),
          // or first thing by bin/wardledger.mjs through prestartChain.
          chainWorker: resolve(__dirname, 'electron/core/chain/chainWorker.ts'),
          prestartChain: resolve(__dirname, 'electron/core/prestartChain.ts'),
          // The consortium publisher's preparation thread (consortium/batchPreparer.ts finds it here).
          consortiumPrepare: resolve(__dirname, 'electron/core/consortium/prepareWorker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [vue(), cspMeta()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: resolve(__dirname, 'renderer/index.html') },
    },
  },
});
