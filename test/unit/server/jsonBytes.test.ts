import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonBytes } from '../../../electron/server/jsonBytes';

const json = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8');

describe('jsonBytes: a reply encoded with its long lists a slice at a time', () => {
  it('gives exactly the bytes of JSON.stringify for any JSON-like value, long lists and text outside Latin-1 included', () => {
    // Strings over the whole of Unicode (the en dash, CJK, emoji as surrogate pairs) and lists
    // around the slice length (256) at the levels the encoder splits.
    const leaf = fc.oneof(fc.string({ unit: 'grapheme' }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('list'), tie('object')),
      list: fc.oneof(fc.array(tie('value'), { maxLength: 4 }), fc.array(leaf, { minLength: 250, maxLength: 520 })),
      object: fc.dictionary(fc.string(), tie('value'), { maxKeys: 5 }),
    }));
    fc.assert(
      fc.property(value, (v) => {
        expect(jsonBytes(v).equals(json(v))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps what JSON.stringify does with functions, undefined, toJSON and classes', () => {
    const records = Array.from({ length: 700 }, (_, i) => ({ id: i, at: new Date(Date.UTC(2026, 10, 29, 0, i)), gone: undefined, f: () => i, note: i === 513 ? 'every 4\u20136 hours' : 'ok' }));
    const reply = { ok: true, result: { records, window: { toJSON: () => 'the window' }, skip: undefined, sym: Symbol('s'), list: [undefined, () => 1, Symbol('s')], map: new Map([[1, 2]]) } };
    expect(jsonBytes(reply).toString('utf8')).toBe(JSON.stringify(reply));
    expect(jsonBytes([]).toString()).toBe('[]');
    expect(jsonBytes({}).toString()).toBe('{}');
    expect(jsonBytes({ a: undefined }).toString()).toBe('{}');
  });
});
