import { describe, expect, it } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import {
  ASTM,
  astmChecksum,
  decodeAstmFrame,
  decodeContourHostReport,
  decodeContourReport,
  encodeAstmFrame,
  encodeAstmMessage,
  encodeContourDeviceReports,
  encodeContourHostReport,
  headerDelimiters,
  scanAstmMessage,
} from '../../../electron/core/devices/protocols/astm';
import { contourReadings, interpretContourRecords, parseContourHeader, parseContourResult } from '../../../electron/core/devices/drivers/contour';

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WardError);
    return (e as WardError).code;
  }
  return undefined;
}

// The header record example of docs/devices.md (glucometerutils test/test_contourusb.py), with another access field.
const HEADER =
  'H|\\^&||qvqOi8|Bayer7390^01.24\\01.04\\09.02.20^7390-2336773^7403-|A=1^C=63^G=1^I=0200^R=0^S=1^U=0^V=10600^X=070070070180130180070130^Y=360126090050099050300089^Z=1|1714||||||1|201909221304';

describe('ASTM frames', () => {
  it('checksums FN through ETX mod 256 as two uppercase hex digits', () => {
    expect(astmChecksum('1L|1||N\r\x03')).toBe('80');
    expect(astmChecksum('2R|8|^^^Glucose|133|mg/dL^P||B/X||201202052034\r\x03')).toBe('AE');
  });

  it('encodes STX FN text ETB|ETX C1 C2 CR LF, the record keeping its own CR', () => {
    expect([...encodeAstmFrame(1, 'L|1||N\r', 'ETX')]).toEqual([ASTM.STX, ...ascii('1L|1||N'), ASTM.CR, ASTM.ETX, ...ascii('80'), ASTM.CR, ASTM.LF]);
  });

  // Frames captured from a Contour USB (Bayer7390) in glucometerutils test/test_bacontour.py
  // (test_integration) and a Contour Next USB header in test/test_contourusb.py: every record ends
  // CR inside its own frame, ETB until the terminator, which alone ends ETX.
  it('decodes frames captured from real meters, checksums included', () => {
    const captured: Array<[string, number, string, boolean]> = [
      ['\x022P|1\r\x1753\r\n', 2, 'P|1\r', false],
      ['\x023R|1|^^^Glucose|10.9|mmol/L^P||A||201504171154\r\x17EC\r\n', 3, 'R|1|^^^Glucose|10.9|mmol/L^P||A||201504171154\r', false],
      ['\x024L|1||N\r\x0383\r\n', 4, 'L|1||N\r', true],
      [
        '\x021H|\\^&||7w3LBL|Bayer7390^01.24\\01.04\\09.02.20^7390-2336773^7403-|A=1^C=63^G=1^I=0200^R=0^S=1^U=0^V=10600^X=070070070070180130150250^Y=360126090050099050300089^Z=1|1714||||||1|201909221304\r\x17D7\r\n',
        1,
        'H|\\^&||7w3LBL|Bayer7390^01.24\\01.04\\09.02.20^7390-2336773^7403-|A=1^C=63^G=1^I=0200^R=0^S=1^U=0^V=10600^X=070070070070180130150250^Y=360126090050099050300089^Z=1|1714||||||1|201909221304\r',
        false,
      ],
    ];
    for (const [bytes, fn, text, final] of captured) {
      expect(decodeAstmFrame(Uint8Array.from(ascii(bytes)))).toEqual({ fn, text, final });
      expect(encodeAstmFrame(fn, text, final ? 'ETX' : 'ETB')).toEqual(Uint8Array.from(ascii(bytes)));
    }
  });

  it('decodes a frame and verifies its checksum', () => {
    expect(decodeAstmFrame(encodeAstmFrame(2, 'R|8|^^^Glucose|133|mg/dL^P||B/X||201202052034\r', 'ETB'))).toEqual({
      fn: 2,
      text: 'R|8|^^^Glucose|133|mg/dL^P||B/X||201202052034\r',
      final: false,
    });
    const bad = encodeAstmFrame(1, 'L|1||N\r', 'ETX');
    bad[bad.length - 3] = 0x31; // "81"
    expect(code(() => decodeAstmFrame(bad))).toBe('PROTOCOL');
    expect(code(() => decodeAstmFrame(Uint8Array.of(ASTM.STX, 0x38, ASTM.ETX, 0x33, 0x42, ASTM.CR, ASTM.LF)))).toBe('PROTOCOL'); // FN 8
    expect(code(() => decodeAstmFrame(Uint8Array.of(1, 2, 3)))).toBe('PROTOCOL');
  });

  it('frames a message: one record per frame, ETB until the last, numbers cycling mod 8, long records continued', () => {
    const records = ['H|x', 'R|1|' + 'x'.repeat(500), 'L|1||N'];
    const frames = encodeAstmMessage(records, 6);
    expect(frames.map((f) => decodeAstmFrame(f).fn)).toEqual([6, 7, 0, 1, 2]);
    expect(frames.map((f) => f[f.length - 5])).toEqual([ASTM.ETB, ASTM.ETB, ASTM.ETB, ASTM.ETB, ASTM.ETX]);
    expect(frames.map((f) => decodeAstmFrame(f).text).join('')).toBe(records.map((r) => `${r}\r`).join(''));
  });

  it('scans a message into frames, control characters and junk', () => {
    const frame = encodeAstmFrame(1, `${HEADER}\r`, 'ETB');
    const kinds = (bytes: number[]): string[] => scanAstmMessage(Uint8Array.from(bytes)).map((t) => t.kind);
    expect(kinds([...frame, ASTM.ENQ])).toEqual(['frame', 'enq']);
    expect(kinds([ASTM.EOT])).toEqual(['eot']);
    expect(kinds([0x41, 0x42, ...frame])).toEqual(['junk', 'frame']);
    expect(kinds([...frame.slice(0, 20)])).toEqual(['junk']);
    expect(kinds([...frame.slice(0, 20), ...frame])).toEqual(['junk', 'frame']);
  });
});

describe('Contour HID reports', () => {
  it('writes 00 00 00 len data after report id 0, zero padded', () => {
    const r = encodeContourHostReport(Uint8Array.of(ASTM.EOT));
    expect(r.length).toBe(65);
    expect([...r.slice(0, 6)]).toEqual([0, 0, 0, 0, 1, ASTM.EOT]);
    expect(r.slice(6).every((b) => b === 0)).toBe(true);
  });

  it('device side accepts both 00 00 00 and ABC headers', () => {
    expect([...decodeContourHostReport(Uint8Array.of(0, 0, 0, 1, ASTM.ACK, 0, 0))]).toEqual([ASTM.ACK]);
    expect([...decodeContourHostReport(Uint8Array.of(...ascii('ABC'), 1, ASTM.NAK))]).toEqual([ASTM.NAK]);
  });

  it('splits a message into 60-byte payloads; 60 means more follows', () => {
    const message = Uint8Array.from({ length: 130 }, (_, i) => i);
    const reports = encodeContourDeviceReports(message);
    expect(reports.map((r) => r[3])).toEqual([60, 60, 10]);
    const decoded = reports.map(decodeContourReport);
    expect(decoded.map((d) => d.more)).toEqual([true, true, false]);
    expect(decoded.flatMap((d) => [...d.payload])).toEqual([...message]);
    // An exact multiple of 60 ends with an empty report.
    expect(encodeContourDeviceReports(new Uint8Array(60)).map((r) => r[3])).toEqual([60, 0]);
  });

  it('rejects short, over-long and truncated reports', () => {
    expect(code(() => decodeContourReport(Uint8Array.of(1, 2, 3)))).toBe('PROTOCOL');
    expect(code(() => decodeContourReport(Uint8Array.of(0, 0, 0, 61, ...new Array(61).fill(1))))).toBe('PROTOCOL');
    expect(code(() => decodeContourReport(Uint8Array.of(0, 0, 0, 10, 1, 2)))).toBe('PROTOCOL');
  });
});

describe('Contour records', () => {
  it('parses the header: model, firmware, serial, unit, limits, record count, clock', () => {
    expect(headerDelimiters(HEADER)).toEqual({ field: '|', repeat: '\\', component: '^', escape: '&' });
    const h = parseContourHeader(HEADER);
    expect(h).toMatchObject({
      productCode: 'Bayer7390',
      versions: ['01.24', '01.04', '09.02.20'],
      serial: '7390-2336773',
      unit: 'mg/dL',
      limits: { low: 10, high: 600 },
      recordCount: 1714,
      deviceTime: '2019-09-22T13:04:00',
    });
    expect(parseContourHeader(HEADER.replace('U=0', 'U=1')).unit).toBe('mmol/L');
  });

  it('rejects headers without unit, serial or a valid clock', () => {
    expect(code(() => parseContourHeader(HEADER.replace('U=0^', '')))).toBe('PROTOCOL');
    expect(code(() => parseContourHeader(HEADER.replace('^7390-2336773^', '^^')))).toBe('PROTOCOL');
    expect(code(() => parseContourHeader(HEADER.replace('201909221304', '201913221304')))).toBe('PROTOCOL');
    expect(code(() => parseContourHeader('H|||||'))).toBe('PROTOCOL');
  });

  it('parses result records with flags, in mg/dL and mmol/L', () => {
    const d = headerDelimiters(HEADER);
    expect(parseContourResult('R|8|^^^Glucose|133|mg/dL^P||B/X||201202052034', d)).toEqual({
      sequence: 8,
      unit: 'mg/dL',
      value: 133,
      flags: ['before-meal'],
      deviceTime: '2012-02-05T20:34:00',
      rawTime: '201202052034',
    });
    expect(parseContourResult('R|9|^^^Glucose|600|mg/dL^P||>/C||201202052035', d)?.flags).toEqual(['above-range', 'control-solution']);
    expect(parseContourResult('R|10|^^^Glucose|1.1|mmol/L^P||<||201202052036', d)).toMatchObject({ unit: 'mmol/L', value: 1.1, flags: ['below-range'] });
    expect(parseContourResult('R|11|^^^Insulin|4|^||||201202052037', d)).toBeUndefined();
    expect(code(() => parseContourResult('R|12|^^^Glucose|abc|mg/dL^P||||201202052038', d))).toBe('PROTOCOL');
    expect(code(() => parseContourResult('R|12|^^^Glucose|100|mg/kg^P||||201202052038', d))).toBe('PROTOCOL');
  });

  it('normalises mmol/L with LOINC 14743-9 and keeps ids stable for equal times', () => {
    const d = headerDelimiters(HEADER);
    const results = [
      parseContourResult('R|1|^^^Glucose|7.4|mmol/L^P||A||202401010800', d)!,
      parseContourResult('R|2|^^^Glucose|7.9|mmol/L^P||||202401010800', d)!,
    ];
    const readings = contourReadings(results, '2024-01-01T09:00:00.000Z');
    expect(readings.map((r) => r.deviceRecordId)).toEqual(['202401010800-0', '202401010800-1']);
    expect(readings[0].measurements[0]).toEqual({ mdc: 160184, loinc: '14743-9', unit: 'mmol/L', value: 7.4 });
    expect(readings[0].flags).toEqual(['after-meal']);
  });

  it('reads the Contour Next One header: seconds in the clock and a trailing delimiter', () => {
    // glucometerutils test/test_contournextone.py
    const h = parseContourHeader('H|\\^&||7yMyBR|Contour7800^01.16\\02.00\\20.35^7801-1417178|A=1^C=7^R=0^S=1^U=0^V=10600^X=070070180130^a=1^J=0|2|||||P|1|20191017205106|');
    expect(h).toMatchObject({ productCode: 'Contour7800', serial: '7801-1417178', unit: 'mg/dL', recordCount: 2, deviceTime: '2019-10-17T20:51:06' });
    // test_parse_result_record there: markers T0/M0 mean nothing for the ward, the time has seconds.
    expect(parseContourResult('R|2|^^^Glucose|159|mg/dL^P||T0/M0||20191016001203', headerDelimiters(HEADER))).toMatchObject({ value: 159, flags: [], deviceTime: '2019-10-16T00:12:03' });
  });

  it('keeps the rest of the memory when one result record is unreadable', () => {
    const upload = interpretContourRecords([
      { type: 'H', text: HEADER },
      { type: 'R', text: 'R|1|^^^Glucose|101|mg/dL^P||||201909221200' },
      { type: 'R', text: 'R|2|^^^Glucose|abc|mg/dL^P||||201909221210' },
      { type: 'R', text: 'R|3|^^^Glucose|103|mg/dL^P||||201909221220' },
    ]);
    const readings = contourReadings(upload.results, '2019-09-22T12:30:00.000Z');
    expect(readings.map((r) => r.measurements[0]?.value ?? r.problem)).toEqual([101, 'Result record 2 from the meter has an invalid value.', 103]);
    expect(readings[1].measurements).toEqual([]);
  });

  it('needs the header first in an upload', () => {
    expect(code(() => interpretContourRecords([{ type: 'R', text: 'R|1' }]))).toBe('PROTOCOL');
    expect(interpretContourRecords([{ type: 'H', text: HEADER }, { type: 'P', text: 'P|1' }, { type: 'L', text: 'L|1||N' }]).results).toEqual([]);
  });
});
