/**
 * Whole Contour sessions replayed from bytes captured on real meters. The meter ignores the first
 * three bytes of a host report (glucometerutils writes "ABC", Tidepool Uploader three zeros,
 * lib/drivers/bayer/bayerContourNext.js buildPacket), so the host's reports are compared from the
 * length byte on; everything else, byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { contourDriver } from '../../../electron/core/devices/drivers/contour';
import { SimulatedHidBus } from '../../../electron/core/devices/simulators/bus';
import { bytesOf, padded, ReplayDevice, type ReplayStep } from './replay';

const REPORT = 64;
const meterReport = (text: string): number[] => padded(bytesOf(text), REPORT);
const hostReport = (text: string): ReplayStep['host'] => ({ kind: 'output', bytes: padded(bytesOf(text), REPORT) });
const sameFromLengthByte = (expected: number[], actual: Uint8Array): boolean =>
  actual.length === expected.length && expected.every((b, i) => i < 3 || actual[i] === b);

const CONTOUR_USB = { vendorId: 0x1a79, productId: 0x6002, product: 'Bayer Contour USB' };

// glucometerutils test/test_bacontour.py, TestBayerContour.test_integration: a Contour USB
// (Bayer7390, serial 7390-2408612) in transfer mode announces itself with ENQ; the header, patient
// and result records each come in their own frame ending CR ETB, the terminator alone in an ETX
// frame, then EOT.
const BACONTOUR_SESSION: ReplayStep[] = [
  { at: 'ENQ', device: [meterReport('ABC\x01\x05')] },
  {
    at: 'ACK of ENQ',
    host: hostReport('ABC\x01\x06'),
    device: [
      meterReport('ABC<\x021H|\\^&||NIylNt|Bayer7390^01.26\\01.05\\08.02.20^7390-2408612^'),
      meterReport('ABC<7397-|A=1^C=62^G=0^I=0200^R=0^S=1^U=1^V=10600^X=070070070070'),
      meterReport('ABC<180130180250^Y=360126090050099050300089^Z=1|2000|||||P|1|201'),
      meterReport('ABC\x0f708222058\r\x17AB\r\n'),
    ],
  },
  { at: 'ACK of the header frame', host: hostReport('ABC\x01\x06'), device: [meterReport('ABC\x0b\x022P|1\r\x1753\r\n')] },
  { at: 'ACK of the patient frame', host: hostReport('ABC\x01\x06'), device: [meterReport('ABC5\x023R|1|^^^Glucose|10.9|mmol/L^P||A||201504171154\r\x17EC\r\n')] },
  { at: 'ACK of the result frame', host: hostReport('ABC\x01\x06'), device: [meterReport('ABC\x0e\x024L|1||N\r\x0383\r\n')] },
  { at: 'ACK of the terminator frame', host: hostReport('ABC\x01\x06'), device: [meterReport('ABC\x01\x04')] },
];

async function replay(steps: ReplayStep[], info = CONTOUR_USB) {
  const bus = new SimulatedHidBus();
  const device = new ReplayDevice(info, steps, sameFromLengthByte);
  const path = bus.plug(device);
  const hid = (await bus.enumerate()).find((d) => d.path === path)!;
  const session = await contourDriver.open(await bus.open(path), hid);
  const identity = await session.identify({ timeoutMs: 200 });
  const readings = await session.readMemory!({ timeoutMs: 200 });
  await session.close();
  return { device, identity, readings };
}

describe('Contour sessions captured from real meters replay', () => {
  it('Contour USB 7390 (glucometerutils test_bacontour.py): one mmol/L reading, every host byte as captured', async () => {
    const { device, identity, readings } = await replay(BACONTOUR_SESSION);
    expect(device.deviations).toEqual([]);
    expect(device.finished).toBe(true);
    expect(identity).toMatchObject({ model: 'Contour USB', serial: '7390-2408612', firmware: '01.26 / 01.05 / 08.02.20', deviceTime: '2017-08-22T20:58:00' });
    expect(readings).toHaveLength(1);
    expect(readings[0]).toMatchObject({ kind: 'glucose', deviceTime: '2015-04-17T11:54:00', flags: ['after-meal'] });
    expect(readings[0].measurements).toEqual([{ mdc: 160184, loinc: '14743-9', unit: 'mmol/L', value: 10.9 }]);
  });

  // glucometerutils test/test_contourusb.py: a Contour Next USB answers the host's EOT with one
  // message holding EOT, its header frame (FN 1, CR ETB, checksum D7) and ENQ. What follows the
  // ACK is not in that capture; the frames from FN 2 on are the captured Contour USB frames above,
  // so the header reaches the driver only through the announcement.
  it('Contour Next USB announcement (glucometerutils test_contourusb.py): EOT, header and ENQ in one message', async () => {
    const announcement =
      '\x04\x021H|\\^&||7w3LBL|Bayer7390^01.24\\01.04\\09.02.20^7390-2336773^7403-|A=1^C=63^G=1^I=0200^R=0^S=1^U=0^V=10600^X=070070070070180130150250^Y=360126090050099050300089^Z=1|1714||||||1|201909221304\r\x17D7\r\n\x05';
    const chunks: number[][] = [];
    const bytes = bytesOf(announcement);
    for (let i = 0; ; i += 60) {
      const part = bytes.slice(i, i + 60);
      chunks.push(padded([0x41, 0x42, 0x43, part.length, ...part], REPORT));
      if (part.length < 60) break;
    }
    const steps: ReplayStep[] = [
      { at: 'EOT from the host', host: hostReport('ABC\x01\x04'), device: chunks },
      ...BACONTOUR_SESSION.slice(2).map((s, i) => (i === 0 ? { ...s, at: 'ACK of ENQ' } : s)),
    ];
    const { device, identity, readings } = await replay(steps, { vendorId: 0x1a79, productId: 0x7410, product: 'Bayer Contour Next USB' });
    expect(device.deviations).toEqual([]);
    expect(device.finished).toBe(true);
    expect(identity).toMatchObject({ model: 'Contour Next USB', serial: '7390-2336773', deviceTime: '2019-09-22T13:04:00' });
    expect(readings.map((r) => r.measurements[0].value)).toEqual([10.9]);
  });
});
