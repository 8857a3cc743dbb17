/**
 * Plausible memory contents for simulators plugged in from the devices panel or `--simulate`, so
 * a newcomer sees a realistic download. Times are the meter's local clock over the last two days.
 */
import type { SimulatorName } from './index';

function localTime(hoursAgo: number): string {
  const d = new Date(Date.now() - hoursAgo * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:00`;
}

const glucoseMgDl = [112, 148, 96, 181, 134];
const bp = [
  { systolic: 128, diastolic: 82, pulse: 71 },
  { systolic: 141, diastolic: 88, pulse: 76, irregularHeartbeat: true },
  { systolic: 119, diastolic: 77, pulse: 68 },
];

export function demoOptions(name: SimulatorName): object {
  switch (name) {
    case 'freestyle-neo':
    case 'freestyle-libre':
    case 'freestyle-libre-pro':
      return { readings: glucoseMgDl.map((value, i) => ({ kind: 'glucose', value, time: localTime(40 - i * 8), id: i + 1 })) };
    case 'contour':
      return { readings: glucoseMgDl.map((value, i) => ({ value, time: localTime(44 - i * 8), flags: i === 1 ? ['A'] : ['B'] })) };
    case 'omron':
      return { readings: bp.map((r, i) => ({ ...r, time: localTime(30 - i * 12) })) };
    case 'bm58':
      // A shared monitor: the last reading is in user 2's memory.
      return { readings: bp.map((r, i) => ({ ...r, time: localTime(30 - i * 12), ...(i === 2 ? { user: 2 } : {}) })) };
    case 'microlife':
      // The first reading was taken before the monitor's clock was set (its time is unknown), and a
      // fourth record is damaged (month 13): the panel shows both as a real download would.
      return {
        readings: [...bp.map((r, i) => (i === 0 ? { ...r, undated: true } : { ...r, time: localTime(30 - i * 12) })), { systolic: 125, diastolic: 80, pulse: 66, time: localTime(2) }],
        rawRecords: { 4: [125, 80, 66, 26, 13, 1, 8, 0, 0x80, 0] },
      };
    // Oximeters with a USB serial number, as many have: a bed binding finds them again after a restart
    // whatever port they are in (without one they are known by their port).
    case 'po80':
      return { serialNumber: 'PO80-DEMO-0042' };
    case 'cms50e':
      return { serialNumber: 'CMS50E-DEMO-0007' };
    default:
      return {};
  }
}
