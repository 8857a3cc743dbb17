/**
 * Canonical JSON (a strict subset of RFC 8785, JCS): object keys sorted by UTF-16 code units, no
 * whitespace, numbers and strings serialised as ECMAScript's JSON.stringify does (which is what
 * JCS specifies). Anything that has no single JSON meaning is rejected instead of silently
 * dropped or coerced: undefined, functions, symbols, bigint, NaN/Infinity, lone surrogates,
 * class instances (Date, Map, Uint8Array...), and cycles. The same value always gives the same
 * bytes, so the bytes can be hashed and signed.
 */
import { WardError } from '../model/errors';

export type CanonicalJson = null | boolean | number | string | CanonicalJson[] | { [key: string]: CanonicalJson };

/** Canonical JSON text of `value`. @throws WardError('BAD_INPUT') for unsupported values. */
export function canonicalString(value: unknown): string {
  return write(value, new Set<object>(), '$');
}

/** Canonical JSON of `value` as UTF-8 bytes. @throws WardError('BAD_INPUT') for unsupported values. */
export function canonicalize(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalString(value));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function write(value: unknown, stack: Set<object>, path: string): string {
  switch (typeof value) {
    case 'string':
      return writeString(value, path);
    case 'number':
      if (!Number.isFinite(value)) reject(path, 'is not a finite number');
      return JSON.stringify(value); // -0 becomes "0", as JCS requires
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return writeContainer(value, stack, path);
    default:
      // undefined, function, symbol, bigint
      return reject(path, `has unsupported type ${typeof value}`);
  }
}

function writeContainer(value: object, stack: Set<object>, path: string): string {
  if (stack.has(value)) reject(path, 'is a circular reference');
  stack.add(value);
  try {
    if (Array.isArray(value)) {
      // Indexed loop, not map(): map skips holes of sparse arrays, which must be rejected too.
      const items: string[] = [];
      for (let i = 0; i < value.length; i++) items.push(write(value[i], stack, `${path}[${i}]`));
      return '[' + items.join(',') + ']';
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) reject(path, 'is not a plain object');
    const keys = Object.keys(value).sort(); // default sort compares UTF-16 code units, as JCS
    const members = keys.map((k) => writeString(k, `${path}.${k}`) + ':' + write((value as Record<string, unknown>)[k], stack, `${path}.${k}`));
    return '{' + members.join(',') + '}';
  } finally {
    stack.delete(value);
  }
}

function writeString(s: string, path: string): string {
  if (LONE_SURROGATE.test(s)) reject(path, 'contains an invalid Unicode character');
  return JSON.stringify(s);
}

function reject(path: string, why: string): never {
  // The path names field positions only, never values, so no PHI reaches the message.
  throw new WardError('BAD_INPUT', `Cannot encode the record: ${path} ${why}.`);
}
