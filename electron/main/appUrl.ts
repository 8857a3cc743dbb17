/**
 * Which URLs are "our app". The renderer is loaded either from the built files under
 * out/renderer (file://) or, during development, from electron-vite's dev server. Everything
 * else (other files on disk, remote sites, data: documents) is foreign: it may not navigate our
 * windows and may not call the core.
 */
import { resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface AppUrlPolicy {
  /** The URL the main window loads. */
  readonly entryUrl: string;
  /** True when `url` is a page of our renderer (query and fragment ignored). */
  isAppUrl(url: string): boolean;
}

export interface AppUrlOptions {
  /** Absolute path of the built renderer (out/renderer). */
  rendererDir: string;
  /** electron-vite's dev server URL (ELECTRON_RENDERER_URL), only when running unpackaged. */
  devServerUrl?: string | null;
}

/**
 * Build the URL policy for one launch.
 * @param options where the renderer lives, and the dev server URL if any
 */
export function createAppUrlPolicy(options: AppUrlOptions): AppUrlPolicy {
  const rendererDir = resolve(options.rendererDir);
  const devOrigin = options.devServerUrl ? httpOrigin(options.devServerUrl) : null;
  const entryUrl = devOrigin ? options.devServerUrl! : pathToFileURL(resolve(rendererDir, 'index.html')).href;

  return {
    entryUrl,
    isAppUrl(url: string): boolean {
      const parsed = parseUrl(url);
      if (!parsed) return false;
      if (parsed.protocol === 'file:') return isInside(rendererDir, fileUrlPath(parsed));
      return devOrigin !== null && parsed.origin === devOrigin;
    },
  };
}

function parseUrl(url: string): URL | null {
  if (typeof url !== 'string') return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** The origin of an http(s) dev server URL; anything else is refused so a typo cannot widen trust. */
function httpOrigin(url: string): string | null {
  const parsed = parseUrl(url);
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return null;
  return parsed.origin;
}

function fileUrlPath(url: URL): string | null {
  // A host in a file URL (file://server/share) is a network path, never our bundle.
  if (url.host !== '') return null;
  try {
    return resolve(fileURLToPath(new URL(url.pathname, 'file://')));
  } catch {
    return null;
  }
}

function isInside(dir: string, path: string | null): boolean {
  return path !== null && path.startsWith(dir + sep);
}
