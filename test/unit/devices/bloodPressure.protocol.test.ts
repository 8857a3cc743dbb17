import { describe, expect, it } from 'vitest';
import { WardError } from '../../../electron/core/model/errors';
import { countPrefixedPayload, toCountPrefixedReports } from '../../../electron/core/devices/protocols/countPrefixed';
import {
  omronCommand,
  OMRON_COMMANDS,
  parseOmronCount,
  parseOmronRecord,
  parseOmronSerial,
  parseOmronVersion,
  readOmronReply,
  xorOf,
} from '../../../electron/core/devices/protocols/omronCommands';
import { ReportChannel } from '../../../electron/core/devices/transport/reportIo';
import { bm58Command, parseBm58Count, parseBm58DeviceId, parseBm58Record } from '../../../electron/core/devices/drivers/beurerBm58';
import {
  MICROLIFE_FETCH_ALL,
  type MicrolifeRecord,
  microlifeChecksum,
  microlifeChecksumValid,
  parseMicrolifeReply,
  readMicrolifeReply,
} from '../../../electron/core/devices/drivers/microlifeB3';
import { SimulatedHidBus, type SimulatedDevice } from '../../../electron/core/devices/simulators/bus';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/), (b) => parseInt(b, 16));
const bytes = (u: Uint8Array): number[] => Array.from(u);
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

function protocolError(fn: () => unknown): WardError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WardError);
    expect((e as WardError).code).toBe('PROTOCOL');
    return e as WardError;
  }
  throw new Error('expected a PROTOCOL error');
}

/** A device that answers any host report with a fixed script of input reports. */
async function scriptedChannel(reports: Uint8Array[]): Promise<ReportChannel> {
  const device: SimulatedDevice = {
    info: { vendorId: 1, productId: 1 },
    onHostReport: () => undefined,
    onOpen: (emit) => reports.forEach((r) => emit(r)),
  };
  const bus = new SimulatedHidBus();
  return new ReportChannel(await bus.open(bus.plug(device)));
}

describe('Omron HEM-790IT framing', () => {
  it('builds the docs/devices.md commands: letters + arguments + XOR of the arguments', () => {
    expect(bytes(OMRON_COMMANDS.version)).toEqual(ascii('VER00'));
    expect(bytes(OMRON_COMMANDS.serial)).toEqual(ascii('SRL00'));
    expect(bytes(OMRON_COMMANDS.profile)).toEqual(ascii('PRF00'));
    expect(bytes(OMRON_COMMANDS.count(1))).toEqual(bytes(hex('47 44 43 00 01 00 00 01')));
    expect(bytes(OMRON_COMMANDS.count(0))).toEqual(bytes(hex('47 44 43 00 00 00 00 00')));
    expect(bytes(OMRON_COMMANDS.record(1, 5))).toEqual(bytes(hex('47 4D 45 00 01 00 05 04')));
    expect(bytes(OMRON_COMMANDS.end)).toEqual(bytes(hex('45 4E 44 FF FF')));
    expect(bytes(omronCommand('ABC', [0x12, 0x34]))).toEqual([0x41, 0x42, 0x43, 0x12, 0x34, 0x26]);
  });

  it('cuts messages into count-prefixed 8-byte reports (libomron GDC example)', () => {
    expect(toCountPrefixedReports(hex('47 44 43 00 00 00 00 01')).map(bytes)).toEqual([
      [0x07, 0x47, 0x44, 0x43, 0x00, 0x00, 0x00, 0x00],
      [0x01, 0x01, 0, 0, 0, 0, 0, 0],
    ]);
    expect(bytes(countPrefixedPayload(hex('05 56 45 52 30 30 99 99'), 0xff, 'x'))).toEqual(ascii('VER00'));
    // A HEM-790IT clearing after a mode change sends count 8 in an 8-byte report (libomron capture
    // doc/logs/hem790it/790IT_OneReading.html seq 0284): read as the seven bytes after the count.
    expect(bytes(countPrefixedPayload(hex('08 60 00 00 00 00 00 00'), 0xff, 'monitor'))).toEqual(bytes(hex('60 00 00 00 00 00 00')));
    expect(protocolError(() => countPrefixedPayload(hex('09 01 02 03 04 05 06 07'), 0xff, 'monitor')).message).toMatch(/claiming 9/);
    protocolError(() => countPrefixedPayload(hex('05 01 02'), 0xff, 'monitor'));
  });

  it('reassembles and checks the libomron VER reply example ("M7080IT 207", check 0x4A)', async () => {
    const channel = await scriptedChannel([hex('07 4f 4b 00 4d 37 30 38'), hex('07 30 49 54 20 32 30 37'), hex('01 4a 00 00 00 00 00 00')]);
    const reply = await readOmronReply(channel, { timeoutMs: 500 }, 15, 'version');
    expect(reply.status).toBe('ok');
    expect(parseOmronVersion((reply as { bytes: Uint8Array }).bytes)).toBe('M7080IT 207');
  });

  it('parses the libomron GME example record (2007-01-03 00:06:51, 112/75, pulse 71)', () => {
    const reply = Uint8Array.from([...ascii('OK'), ...hex('00 07 01 03 00 06 33 00 00 70 4b 47 00 00 4c')]);
    expect(xorOf(reply.subarray(2))).toBe(0);
    expect(parseOmronRecord(reply)).toEqual({
      time: '2007-01-03T00:06:51',
      systolic: 112,
      diastolic: 75,
      pulse: 71,
      flags: 0,
      irregularHeartbeat: false,
    });
    const ihb = Uint8Array.from(reply);
    ihb[15] = 0x01;
    ihb[16] ^= 0x01;
    expect(parseOmronRecord(ihb).irregularHeartbeat).toBe(true);
  });

  it('parses the libomron GDC (count 8) and SRL examples', () => {
    expect(parseOmronCount(Uint8Array.from([...ascii('OK'), ...hex('00 00 0a 00 08 02')]))).toBe(8);
    expect(parseOmronSerial(Uint8Array.from([...ascii('OK'), ...hex('00 06 00 00 00 00 00 00 06')]))).toBe('06000000000000');
  });

  it('returns "no" for a busy reply and "damaged" (ask again) for garbled or badly checked replies', async () => {
    expect(await readOmronReply(await scriptedChannel([hex('02 4e 4f 00 00 00 00 00')]), { timeoutMs: 300 }, 17, 'record')).toEqual({ status: 'no' });
    expect(await readOmronReply(await scriptedChannel([hex('02 58 59 00 00 00 00 00')]), { timeoutMs: 300 }, 17, 'record')).toMatchObject({
      status: 'damaged',
      reason: expect.stringMatching(/garbled/),
    });
    const bad = [hex('07 4f 4b 00 4d 37 30 38'), hex('07 30 49 54 20 32 30 37'), hex('01 4b 00 00 00 00 00 00')];
    expect(await readOmronReply(await scriptedChannel(bad), { timeoutMs: 300 }, 15, 'version')).toMatchObject({
      status: 'damaged',
      reason: expect.stringMatching(/check byte/),
    });
  });

  it('rejects impossible record dates and malformed lengths', () => {
    const reply = Uint8Array.from([...ascii('OK'), ...hex('00 07 0d 03 00 06 33 00 00 70 4b 47 00 00 4c')]);
    expect(protocolError(() => parseOmronRecord(reply)).message).toMatch(/impossible date/);
    protocolError(() => parseOmronRecord(reply.subarray(0, 10)));
    protocolError(() => parseOmronVersion(Uint8Array.from([...ascii('OK'), 0, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0])));
  });
});

describe('Beurer BM58 framing', () => {
  // muling-tt/beurer_bm58 bm58.py: `[i] + padding` and `getrecord_b + [i + 1] + padding`, padding = seven F4.
  it('follows every command with seven F4 bytes', () => {
    expect(bytes(bm58Command(0xaa))).toEqual([0xaa, 0xf4, 0xf4, 0xf4, 0xf4, 0xf4, 0xf4, 0xf4]);
    expect(bytes(bm58Command(0xa3, 1))).toEqual([0xa3, 0x01, 0xf4, 0xf4, 0xf4, 0xf4, 0xf4, 0xf4, 0xf4]);
  });

  it('decodes a record: SYS−25, DIA−25, pulse, month, day, hour, minute, year−2000', () => {
    expect(parseBm58Record(hex('67 39 47 03 0E 09 1E 18'))).toEqual({ time: '2024-03-14T09:30:00', systolic: 128, diastolic: 82, pulse: 71, user: 1, irregularHeartbeat: false });
    expect(parseBm58Count(hex('05 00 00 00 00 00 00 00'))).toBe(5);
    expect(parseBm58DeviceId([ascii('Andon Bl'), ascii('ood Pres'), ascii('sure Met'), ascii('er BM58 '), ascii('HID v1  ')].map((a) => Uint8Array.from(a)))).toBe(
      'Andon Blood Pressure Meter BM58 HID v1',
    );
  });

  it('reads bit 7 of the day byte as user 2 and bit 7 of the year byte as an irregular heartbeat', () => {
    expect(parseBm58Record(hex('67 39 47 03 8E 09 1E 18'))).toMatchObject({ time: '2024-03-14T09:30:00', user: 2, irregularHeartbeat: false });
    expect(parseBm58Record(hex('67 39 47 03 0E 09 1E 98'))).toMatchObject({ time: '2024-03-14T09:30:00', user: 1, irregularHeartbeat: true });
    expect(parseBm58Record(hex('67 39 47 03 8E 09 1E 98'))).toMatchObject({ time: '2024-03-14T09:30:00', user: 2, irregularHeartbeat: true });
  });

  it('reads an A9 reply as "no such record" (curzon01/bm58)', () => {
    expect(parseBm58Record(hex('A9 00 00 00 00 00 00 00'))).toBeUndefined();
    // A systolic of 194 stores A9 too: a valid record is still a record.
    expect(parseBm58Record(hex('A9 39 47 03 0E 09 1E 18'))).toMatchObject({ systolic: 194 });
  });

  it('rejects short replies, impossible dates and unreadable ids', () => {
    expect(protocolError(() => parseBm58Record(hex('67 39 47 03'))).message).toMatch(/4-byte reply/);
    protocolError(() => parseBm58Record(hex('67 39 47 0D 0E 09 1E 18')));
    protocolError(() => parseBm58Record(hex('67 39 47 02 1E 09 1E 18'))); // 30 February
    protocolError(() => parseBm58DeviceId([new Uint8Array(8), new Uint8Array(8), new Uint8Array(8), new Uint8Array(8), new Uint8Array(8)]));
  });
});

describe('Microlife BP B3 framing', () => {
  function reply(records: number[][], count = records.length): Uint8Array {
    const header = new Array<number>(42).fill(0);
    header[0] = 0x4d;
    header[1] = 0x3a;
    header[7] = count;
    const body = [...header, ...records.flat()];
    return Uint8Array.from([...body, microlifeChecksum(body)]);
  }

  it('builds the docs/devices.md (microlife_bp notes) fetch-all request byte for byte', () => {
    expect(bytes(MICROLIFE_FETCH_ALL)).toEqual(bytes(hex('4D FF 00 09 00 00 00 00 00 00 00 FD 52')));
    expect(toCountPrefixedReports(MICROLIFE_FETCH_ALL).map(bytes)).toEqual([
      [0x07, 0x4d, 0xff, 0x00, 0x09, 0x00, 0x00, 0x00],
      [0x06, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x52, 0x00],
    ]);
  });

  it('parses records and reads the flags byte', () => {
    const r = reply([
      [128, 82, 71, 24, 3, 14, 9, 30, 0x80, 0],
      [141, 90, 88, 24, 3, 14, 20, 5, 0xc0, 0],
      [0, 0, 0, 24, 3, 15, 7, 0, 0x00, 0],
    ]);
    expect(microlifeChecksumValid(r)).toBe(true);
    const records = parseMicrolifeReply(r) as MicrolifeRecord[];
    expect(records.map(({ time, systolic, diastolic, pulse, flags }) => ({ time, systolic, diastolic, pulse, flags }))).toEqual([
      { time: '2024-03-14T09:30:00', systolic: 128, diastolic: 82, pulse: 71, flags: [] },
      { time: '2024-03-14T20:05:00', systolic: 141, diastolic: 90, pulse: 88, flags: ['irregular-heartbeat'] },
      { time: '2024-03-15T07:00:00', systolic: 0, diastolic: 0, pulse: 0, flags: ['cuff-fit-error'] },
    ]);
  });

  it('verifies the final checksum over the whole reply and the announced length', () => {
    const r = reply([[128, 82, 71, 24, 3, 14, 9, 30, 0x80, 0]]);
    const corrupted = Uint8Array.from(r);
    corrupted[45] ^= 0x01;
    expect(microlifeChecksumValid(corrupted)).toBe(false);
    expect(protocolError(() => parseMicrolifeReply(corrupted)).message).toMatch(/checksum/);
    expect(protocolError(() => parseMicrolifeReply(reply([[128, 82, 71, 24, 3, 14, 9, 30, 0x80, 0]], 2))).message).toMatch(/length/);
    const noHeader = Uint8Array.from(r);
    noHeader[1] = 0x3b;
    expect(protocolError(() => parseMicrolifeReply(noHeader)).message).toMatch(/header/);
  });

  it('reads a reply from low-nibble-counted reports (upper nibble ignored)', async () => {
    const r = reply([[128, 82, 71, 24, 3, 14, 9, 30, 0x80, 0]]);
    const reports: Uint8Array[] = [];
    for (let i = 0; i < r.length; i += 7) {
      const chunk = r.subarray(i, i + 7);
      const rep = new Uint8Array(8);
      rep[0] = 0xa0 | chunk.length;
      rep.set(chunk, 1);
      reports.push(rep);
    }
    const got = await readMicrolifeReply(await scriptedChannel(reports), { timeoutMs: 300 });
    expect(bytes(got)).toEqual(bytes(r));
  });
});
