/**
 * Electron main entry (out/main/index.js): hosts the WardLedger core and the desktop window.
 * All behaviour lives in small modules beside this file; this only wires the real core in.
 */
// First: the ward chain's thread starts loading ganache while the modules below load.
import '../core/prestartChain';
import { app } from 'electron';
import { createCore } from '../core/core';
import { log } from '../core/platform/log';
import { moduleDir, runDesktopApp } from './desktopApp';

const desktop = runDesktopApp({ createCore, mainDir: moduleDir(import.meta.url) });
desktop.ready.catch((error: unknown) => {
  log('error', 'desktop.start_failed', { reason: error instanceof Error ? error.name : 'unknown' });
  app.exit(1);
});
