/** Paths compared as the operating system compares them (Windows: `\` and drive letters, case-insensitively). */
import nodePath from 'node:path';

/**
 * Whether `path` is `dir` itself or anywhere inside it (a backup kept inside the data directory it
 * backs up). `api`: the platform's path rules (tests pass `path.win32`).
 */
export function isWithin(dir: string, path: string, api: nodePath.PlatformPath = nodePath): boolean {
  const rel = api.relative(api.resolve(dir), api.resolve(path));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${api.sep}`) && !api.isAbsolute(rel));
}
