import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import { parseFreeStyleClock } from '../../../electron/core/devices/drivers/freestyleCommon';
import { libreRecordToReading } from '../../../electron/core/devices/drivers/freestyleLibre';
import { freestyleNeoDriver, neoRecordToReading } from '../../../electron/core/devices/drivers/freestyleNeo';
import { decodeFrame, encodeMultiRecord, encodeTextReply, parseMultiRecord, parseTextReply } from '../../../electron/core/devices/protocols/freestyleHid';
import { SimulatedHidBus } from '../../../electron/core/devices/simulators/bus';
import { FreeStyleSimulator, libreRecord, neoRecord } from '../../../electron/core/devices/simulators/freestyle';
import { mutating, mutationArb, onlyWardError, settlesWithWardError } from './bus.fuzz-helpers';

const RUNS = { numRuns: 300 };
const WS = '2024-01-01T00:00:00.000Z';

const asciiText = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 200 });
const fieldArb = fc.oneof(fc.constantFrom('0', '1', '2', '7', '9', '255', 'HI', 'LO', '', '-1', '99999999999', '1.5', 'x'), fc.nat(100_000).map(String));
const simReading = fc.record({
  kind: fc.constantFrom('glucose' as const, 'ketone' as const),
  value: fc.oneof(fc.integer({ min: 20, max: 500 }), fc.constantFrom('HI' as const, 'LO' as const)),
  time: fc.date({ min: new Date(2001, 0, 1), max: new Date(2098, 11, 31), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 16) + ':00'),
  control: fc.boolean(),
});

/** Replace one character of `s` (position and char chosen by the caller). */
const mutate = (s: string, at: number, c: number): string => (s.length === 0 ? s : s.slice(0, at % s.length) + String.fromCharCode(c) + s.slice((at % s.length) + 1));

describe('FreeStyle parsers never throw anything but WardError', () => {
  it('decodeFrame on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
        const err = onlyWardError(() => decodeFrame(bytes));
        if (err) expect(err.code).toBe('PROTOCOL');
      }),
      RUNS,
    );
  });

  it('parseTextReply on random text and on mutated valid replies', () => {
    fc.assert(fc.property(asciiText, (t) => void onlyWardError(() => parseTextReply(t))), RUNS);
    fc.assert(
      fc.property(asciiText, fc.nat(), fc.integer({ min: 0, max: 255 }), (message, at, c) => {
        const reply = encodeTextReply(message);
        const mutated = mutate(reply, at, c);
        const err = onlyWardError(() => parseTextReply(mutated));
        // Any single changed byte is caught (by the checksum or the format).
        if (mutated !== reply) expect(err?.code).toBe('PROTOCOL');
      }),
      RUNS,
    );
  });

  it('parseMultiRecord on random text and on mutated record lists', () => {
    fc.assert(fc.property(asciiText, (t) => void onlyWardError(() => parseMultiRecord(t))), RUNS);
    fc.assert(
      fc.property(fc.array(simReading, { maxLength: 5 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (readings, at, c) => {
        const message = encodeMultiRecord(readings.map((r, i) => neoRecord(r, i + 1)));
        expect(parseMultiRecord(message)).toHaveLength(readings.length);
        const mutated = mutate(message, at, c);
        const err = onlyWardError(() => parseMultiRecord(mutated));
        // A changed record, count or checksum is always rejected.
        if (mutated !== message) expect(err?.code).toBe('PROTOCOL');
      }),
      RUNS,
    );
  });

  it('clock replies', () => {
    fc.assert(fc.property(asciiText, asciiText, (d, t) => void onlyWardError(() => parseFreeStyleClock(d, t))), RUNS);
  });

  it('Neo and Libre record mappers on random fields and mutated valid records', () => {
    fc.assert(
      fc.property(fc.array(fieldArb, { maxLength: 32 }), (fields) => {
        onlyWardError(() => neoRecordToReading(fields, 1, WS));
        onlyWardError(() => libreRecordToReading(fields, 1, WS));
        onlyWardError(() => neoRecordToReading(['7', ...fields], 1, WS));
        onlyWardError(() => libreRecordToReading(['1', '2', ...fields], 1, WS));
      }),
      RUNS,
    );
    fc.assert(
      fc.property(simReading, fc.nat(40), fieldArb, (r, i, f) => {
        const neo = neoRecord(r, 3).split(',');
        neo[i % neo.length] = f;
        onlyWardError(() => neoRecordToReading(neo, 1, WS));
        const libre = libreRecord({ ...r, value: typeof r.value === 'number' ? r.value : 100 }, 3).split(',');
        libre[i % libre.length] = f;
        onlyWardError(() => libreRecordToReading(libre, 1, WS));
      }),
      RUNS,
    );
  });

  it('accepted Neo records always yield finite, non-negative, coded values', () => {
    fc.assert(
      fc.property(simReading, (r) => {
        const reading = neoRecordToReading(neoRecord(r, 1).split(','), 1, WS)!;
        const m = reading.measurements[0];
        expect(Number.isFinite(m.value) && m.value >= 0).toBe(true);
        expect(reading.flags.includes('control-solution')).toBe(r.control);
      }),
      RUNS,
    );
  });
});

describe('FreeStyle session against a meter sending mutated reports', () => {
  it('either reads correctly or fails with a WardError, never hangs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const bus = new SimulatedHidBus();
        const sim = new FreeStyleSimulator('neo', {
          keepaliveEvery: 3,
          readings: [
            { kind: 'glucose', value: 111, time: '2024-01-02T03:04:00' },
            { kind: 'ketone', value: 0.5, time: '2024-01-02T03:05:00' },
          ],
        });
        const path = bus.plug(mutating(sim, mutations));
        const [info] = await bus.enumerate();
        const session = await freestyleNeoDriver.open(await bus.open(path), info);
        const out = await settlesWithWardError(session.readMemory!({ timeoutMs: 15 }), 5_000);
        if (!(out instanceof WardError)) {
          for (const r of out) for (const m of r.measurements) expect(Number.isFinite(m.value)).toBe(true);
        } else expect(['PROTOCOL', 'DEVICE_TIMEOUT']).toContain(out.code);
        await session.close();
      }),
      { numRuns: 120 },
    );
  });
});
