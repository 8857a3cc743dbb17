/**
 * A reply's JSON as UTF-8: byte for byte what `Buffer.from(JSON.stringify(value))` gives, with its
 * long lists (in the reply's first levels) encoded a slice at a time.
 *
 * Why: one character outside Latin-1 (an en dash in one record's NEWS2 response) made V8 build a
 * whole 5 MB history page as a two-byte string, slower to build and to encode (68 against 43 ms
 * for a 72 h page, measured); slice by slice, only the slices holding such a character are two
 * bytes a character, and no reply is ever one string as large as itself.
 */

/** Lists longer than this are encoded a slice at a time. */
const SLICE = 256;

export function jsonBytes(value: unknown, depth = 4): Buffer {
  // Every level's parts in one list, joined once: nested joins copied a 3 MB page once a level.
  const parts: Buffer[] = [];
  encodeInto(parts, value, depth);
  return Buffer.concat(parts);
}

function encodeInto(parts: Buffer[], value: unknown, depth: number): void {
  if (Array.isArray(value) && value.length > SLICE) {
    parts.push(Buffer.from('['));
    for (let i = 0; i < value.length; i += SLICE) {
      if (i) parts.push(Buffer.from(','));
      // The slice's JSON without its brackets: its elements exactly as the whole list's JSON has them.
      parts.push(Buffer.from(JSON.stringify(value.slice(i, i + SLICE)).slice(1, -1), 'utf8'));
    }
    parts.push(Buffer.from(']'));
    return;
  }
  if (depth > 0 && isPlainObject(value)) {
    let first = true;
    for (const [k, v] of Object.entries(value)) {
      // What JSON.stringify leaves out of an object.
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      parts.push(Buffer.from(`${first ? '{' : ','}${JSON.stringify(k)}:`, 'utf8'));
      first = false;
      encodeInto(parts, v, depth - 1);
    }
    parts.push(Buffer.from(first ? '{}' : '}'));
    return;
  }
  parts.push(Buffer.from(JSON.stringify(value) ?? 'null', 'utf8'));
}

/** An object JSON.stringify writes key by key (no toJSON of its own, no class). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}
