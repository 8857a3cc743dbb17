import { describe, expect, it } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import {
  decodeFrame,
  encodeFrame,
  encodeMultiRecord,
  encodeOutputReport,
  encodeTextFrames,
  encodeTextReply,
  freestyleChecksum,
  FreeStyleType,
  isTextReplyComplete,
  latin1ToBytes,
  parseMultiRecord,
  parseTextReply,
} from '../../../electron/core/devices/protocols/freestyleHid';
import { parseFreeStyleClock } from '../../../electron/core/devices/drivers/freestyleCommon';
import { FreeStyleSimulator } from '../../../electron/core/devices/simulators/freestyle';

const protocolError = (fn: () => unknown): void => {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(WardError);
  expect((caught as WardError).code).toBe('PROTOCOL');
};

describe('FreeStyle checksum (docs/devices.md vectors)', () => {
  it('sums "2.1.2\\r\\n" to 00000108', () => {
    expect(freestyleChecksum('2.1.2\r\n')).toBe('00000108');
  });
  it('sums "DB Record Number = 226988\\r\\n" to 00000765', () => {
    expect(freestyleChecksum('DB Record Number = 226988\r\n')).toBe('00000765');
  });
  it('accepts bytes and strings alike and pads to 8 uppercase hex digits', () => {
    expect(freestyleChecksum(Uint8Array.of(0xff, 0xff))).toBe('000001FE');
    expect(freestyleChecksum('')).toBe('00000000');
  });
});

describe('FreeStyle frames', () => {
  it('builds 64-byte frames [type][len][payload][zero padding]', () => {
    const f = encodeFrame(0x60, latin1ToBytes('$swver?'));
    expect(f.length).toBe(64);
    expect([...f.slice(0, 9)]).toEqual([0x60, 7, ...latin1ToBytes('$swver?')]);
    expect(f.slice(9).every((b) => b === 0)).toBe(true);
  });

  it('prefixes report id 0 for writes (65 bytes)', () => {
    const r = encodeOutputReport(FreeStyleType.init);
    expect(r.length).toBe(65);
    expect([...r.slice(0, 3)]).toEqual([0x00, 0x01, 0x00]);
  });

  it('decodes type and payload, ignoring padding', () => {
    const f = decodeFrame(encodeFrame(0x71, Uint8Array.of(1)));
    expect(f.type).toBe(0x71);
    expect([...f.payload]).toEqual([1]);
  });

  it('rejects short, over-long and truncated reports with PROTOCOL', () => {
    protocolError(() => decodeFrame(Uint8Array.of(0x60)));
    protocolError(() => decodeFrame(Uint8Array.of(0x60, 63, ...new Array(62).fill(0x41))));
    protocolError(() => decodeFrame(encodeFrame(0x60, latin1ToBytes('abcdef')).slice(0, 5)));
  });

  it('splits long text over several 62-byte payloads', () => {
    const text = 'x'.repeat(130);
    const frames = encodeTextFrames(0x60, text);
    expect(frames.map((f) => f[1])).toEqual([62, 62, 6]);
  });
});

describe('FreeStyle text replies', () => {
  it('parses a reply and returns its message', () => {
    const reply = '2.1.2\r\nCKSM:00000108\r\nCMD OK\r\n';
    expect(isTextReplyComplete(reply)).toBe(true);
    expect(parseTextReply(reply)).toEqual({ message: '2.1.2\r\n', ok: true });
  });

  it('reports CMD Fail! as not ok', () => {
    expect(parseTextReply('CKSM:00000000\r\nCMD Fail!\r\n')).toEqual({ message: '', ok: false });
  });

  it('is incomplete until the status line has arrived', () => {
    expect(isTextReplyComplete('2.1.2\r\nCKSM:00000108\r\nCMD O')).toBe(false);
    expect(isTextReplyComplete('2.1.2\r\nCKSM:00000108\r\nCMD OK')).toBe(false);
  });

  it('rejects a wrong checksum and malformed replies', () => {
    protocolError(() => parseTextReply('2.1.3\r\nCKSM:00000108\r\nCMD OK\r\n'));
    protocolError(() => parseTextReply('2.1.2\r\nCMD OK\r\n'));
    protocolError(() => parseTextReply('2.1.2\r\nCKSM:00000108\r\nCMD OK\r\ntrailing'));
  });
});

describe('FreeStyle multi-record replies', () => {
  it('parses records, checking the count line and its record checksum', () => {
    const message = encodeMultiRecord(['7,1,3,1,24,8,15,0,123', '9,2,3,1,24,9,0,0,27']);
    const body = '7,1,3,1,24,8,15,0,123\r\n9,2,3,1,24,9,0,0,27\r\n';
    expect(message).toBe(`${body}2,${freestyleChecksum(body)}\r\n`);
    expect(parseMultiRecord(message)).toEqual([
      ['7', '1', '3', '1', '24', '8', '15', '0', '123'],
      ['9', '2', '3', '1', '24', '9', '0', '0', '27'],
    ]);
  });

  it('reads "Log Empty" as no records', () => {
    expect(parseMultiRecord('Log Empty\r\n')).toEqual([]);
    expect(encodeMultiRecord([])).toBe('Log Empty\r\n');
  });

  it('rejects a damaged record, a wrong count and a missing count line', () => {
    const good = encodeMultiRecord(['7,1,3,1,24,8,15,0,123']);
    protocolError(() => parseMultiRecord(good.replace('123', '124')));
    protocolError(() => parseMultiRecord(good.replace(/^(.*\r\n)1,/, '$12,')));
    protocolError(() => parseMultiRecord('7,1,3,1,24,8,15,0,123\r\n'));
  });
});

describe('FreeStyle meter clock', () => {
  it('reads M,D,YY and H,M as local ISO time', () => {
    expect(parseFreeStyleClock('3,9,24\r\n', '7,5\r\n')).toBe('2024-03-09T07:05:00');
  });
  it('treats 255 in the fields as clock not set', () => {
    expect(parseFreeStyleClock('255,255,255\r\n', '255,255\r\n')).toBeUndefined();
  });
  it('rejects impossible dates and malformed replies', () => {
    protocolError(() => parseFreeStyleClock('2,30,24\r\n', '7,5\r\n'));
    protocolError(() => parseFreeStyleClock('2,3\r\n', '7,5\r\n'));
    protocolError(() => parseFreeStyleClock('2,3,24\r\n', '25,5\r\n'));
  });
});

describe('FreeStyle simulator bytes', () => {
  const exchange = (sim: FreeStyleSimulator, type: number, text = ''): Uint8Array[] => {
    const out: Uint8Array[] = [];
    sim.onHostReport(encodeFrame(type, latin1ToBytes(text)), 'output', (r) => out.push(r));
    return out;
  };

  it('answers the binary session start exactly as documented', () => {
    const sim = new FreeStyleSimulator('neo', { serial: 'ABCD123-EF456', firmware: '2.1.2', keepaliveEvery: 0 });
    expect([...exchange(sim, 0x01)[0].slice(0, 3)]).toEqual([0x71, 0x01, 0x01]);
    expect([...exchange(sim, 0x04)[0].slice(0, 2)]).toEqual([0x34, 0x01]);
    const serial = exchange(sim, 0x05)[0];
    expect([...serial.slice(0, 2)]).toEqual([0x06, 0x0e]);
    expect(String.fromCharCode(...serial.slice(2, 15))).toBe('ABCD123-EF456');
    expect(serial[15]).toBe(0);
    const version = exchange(sim, 0x15)[0];
    expect([...version.slice(0, 2)]).toEqual([0x35, 6]);
    expect(String.fromCharCode(...version.slice(2, 7))).toBe('2.1.2');
    expect([...exchange(sim, 0x42)[0].slice(0, 3)]).toEqual([0x30, 0x01, 0x85]);
  });

  it('sends $swver? as a type-60 report with the vector checksum', () => {
    const sim = new FreeStyleSimulator('neo', { firmware: '2.1.2', keepaliveEvery: 0 });
    const [report] = exchange(sim, 0x60, '$swver?');
    const text = '2.1.2\r\nCKSM:00000108\r\nCMD OK\r\n';
    expect(report[0]).toBe(0x60);
    expect(report[1]).toBe(text.length);
    expect(String.fromCharCode(...report.slice(2, 2 + text.length))).toBe(text);
  });

  it('answers $dbrnum? with the docs/devices.md vector', () => {
    const sim = new FreeStyleSimulator('libre', { dbRecordNumber: 226988 });
    expect(sim.answer('$dbrnum?')).toBe('DB Record Number = 226988\r\nCKSM:00000765\r\nCMD OK\r\n');
  });

  it('interleaves keepalives (22 01 xx) in long replies', () => {
    const sim = new FreeStyleSimulator('neo', { keepaliveEvery: 1, readings: [{ kind: 'glucose', value: 100, time: '2024-01-02T03:04:00' }] });
    const reports = exchange(sim, 0x60, '$result?');
    expect(reports.length).toBeGreaterThan(2);
    expect(reports.filter((r) => r[0] === 0x22).every((r) => r[1] === 1)).toBe(true);
    expect(reports.filter((r) => r[0] === 0x22).length).toBe(reports.filter((r) => r[0] === 0x60).length);
  });

  it('fails commands the model does not know', () => {
    const neo = new FreeStyleSimulator('neo');
    expect(parseTextReply(neo.answer('$sn?')).ok).toBe(false);
    const libre = new FreeStyleSimulator('libre');
    expect(parseTextReply(libre.answer('$serlnum?')).ok).toBe(false);
    expect(encodeTextReply('x\r\n')).toBe(`x\r\nCKSM:${freestyleChecksum('x\r\n')}\r\nCMD OK\r\n`);
  });
});
