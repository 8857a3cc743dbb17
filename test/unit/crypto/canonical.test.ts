import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalString, canonicalize } from '../../../electron/core/crypto/canonical';

/** Same JSON value with every object's keys inserted in reverse order. */
function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    // defineProperty, not assignment: a generated "__proto__" key must stay an own property.
    for (const k of Object.keys(v).reverse()) Object.defineProperty(out, k, { value: reverseKeys((v as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

const expectBadInput = (value: unknown) => expect(() => canonicalize(value)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));

describe('canonical JSON', () => {
  it('sorts keys, drops whitespace, and returns UTF-8 bytes', () => {
    const bytes = canonicalize({ b: 1, a: [true, null, 'x', { d: 2.5, c: -3 }], é: 'ü' });
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(bytes)).toBe('{"a":[true,null,"x",{"c":-3,"d":2.5}],"b":1,"é":"ü"}');
    expect(bytes.length).toBe(Buffer.byteLength('{"a":[true,null,"x",{"c":-3,"d":2.5}],"b":1,"é":"ü"}', 'utf8'));
  });

  it('orders keys by UTF-16 code units (RFC 8785 section 3.2.3 example)', () => {
    const input = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    // Read the order from the text: Object.keys would list the integer-like key "1" first.
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'];
    const expected = '{' + order.map((k) => `${JSON.stringify(k)}:${JSON.stringify((input as Record<string, string>)[k])}`).join(',') + '}';
    expect(canonicalString(input)).toBe(expected);
  });

  it('serialises numbers as ECMAScript does (JCS)', () => {
    expect(canonicalString([-0, 1e21, 1e-7, 0.1, 333333333.3333333, 9007199254740991])).toBe('[0,1e+21,1e-7,0.1,333333333.3333333,9007199254740991]');
  });

  it('is independent of key insertion order (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalString(reverseKeys(value))).toBe(canonicalString(value));
        expect(JSON.parse(canonicalString(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic and distinguishes different values', () => {
    expect(canonicalString({ a: 1 })).toBe(canonicalString({ a: 1 }));
    expect(canonicalString({ a: 1 })).not.toBe(canonicalString({ a: '1' }));
    expect(canonicalString({ a: [1, 2] })).not.toBe(canonicalString({ a: [2, 1] }));
  });

  it('allows a shared (non-circular) sub-object', () => {
    const shared = { x: 1 };
    expect(canonicalString({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('rejects values with no single JSON meaning', () => {
    expectBadInput(NaN);
    expectBadInput({ a: Infinity });
    expectBadInput({ a: -Infinity });
    expectBadInput({ a: undefined });
    expectBadInput([undefined]);
    expectBadInput(undefined);
    expectBadInput({ f: () => 1 });
    expectBadInput({ s: Symbol('x') });
    expectBadInput({ n: 10n });
    expectBadInput({ d: new Date(0) });
    expectBadInput({ m: new Map() });
    expectBadInput({ u: new Uint8Array(2) });
    expectBadInput({ s: 'lone \ud800 surrogate' });
    expectBadInput({ ['\udc00']: 1 });
    // eslint-disable-next-line no-sparse-arrays
    expectBadInput([1, , 3]);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expectBadInput(cyclic);
  });

  it('names the offending field path but not its value', () => {
    try {
      canonicalize({ vitals: { spo2: NaN } });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toContain('$.vitals.spo2');
    }
  });
});
