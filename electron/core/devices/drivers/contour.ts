/**
 * Ascensia / Bayer Contour meters (vendor 1A79) over HID with ASTM records (docs/devices.md).
 *
 * Header record: `H|\^&||<access>|<product>^<versions>^<serial>[^<sku>]|A=1^C=63^…^U=0^V=10600^…|<count>|||||<P or empty>|1|<YYYYMMDDhhmm[ss]>[|]`
 * (U=0 mg/dL, U=1 mmol/L; V = low/high limits; the Contour Next One adds seconds and a trailing
 * field delimiter). Result record: `R|<seq>|^^^Glucose|<value>|<unit>^<method>||<markers>||<YYYYMMDDhhmm[ss]>`
 * with markers separated by `/`: `>`/`<` above/below range, `C` control solution, `B`/`A` before/after
 * meal, `D` logbook; others (`M0`, `T1`, …) are kept by the meter for its own displays.
 *
 * A result record that cannot be read is reported in place (with its reason) and the rest of the
 * memory is kept.
 *
 * The header is the first record of the same upload that carries the readings, so one session
 * downloads once and serves both identify() and readMemory() from it.
 */
import { WardError } from '../../model/errors';
import { clockDriftSeconds, localIso } from '../deviceClock';
import { capillaryGlucoseMgDl, capillaryGlucoseMmolL } from '../glucoseMeasurements';
import { problemReason, unreadableRecord } from '../recordProblem';
import { AstmHidLink, headerDelimiters, splitRecord, type AstmDelimiters, type AstmRecord } from '../protocols/astm';
import { ExchangeSerializer, METER_STEP_TIMEOUT_MS, stepOptions } from '../transport/reportIo';
import type { DeviceDriver, DeviceIdentity, DeviceReading, DeviceSession, HidConnection, HidDeviceInfo, ReadingFlag, ReadOptions } from '../types';

export const CONTOUR_VENDOR_ID = 0x1a79;

/** Product ids of the family and the name shown for each. */
export const CONTOUR_MODELS: Readonly<Record<number, string>> = {
  0x6002: 'Contour USB',
  0x7350: 'Contour Next',
  0x7410: 'Contour Next USB',
  0x7800: 'Contour Next One / Plus One',
  0x7900: 'Contour Next One / Plus One',
  0x7950: 'Contour Plus Blue',
  0x6200: 'Contour Next Link',
  0x6300: 'Contour Next Link',
  0x6210: 'Contour Next Link',
};

export interface ContourHeader {
  productCode: string;
  /** Software versions reported by the meter, e.g. ['01.24', '01.04', '09.02.20']. */
  versions: string[];
  serial: string;
  unit: 'mg/dL' | 'mmol/L';
  /** Measuring range from V= (e.g. 10..600 mg/dL), when present. */
  limits?: { low: number; high: number };
  recordCount: number;
  /** Meter clock as ISO local time. */
  deviceTime: string;
  delimiters: AstmDelimiters;
}

/** YYYYMMDDhhmm(ss) → ISO local time (the Contour Next One sends seconds). */
export function astmDateTime(value: string | undefined, what: string): string {
  const m = value === undefined ? null : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(value);
  if (!m) throw new WardError('PROTOCOL', `The meter sent an invalid date or time in ${what}.`);
  const n = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  return localIso(n[0], n[1], n[2], n[3], n[4], n[5], what);
}

/** Parses the header record. Throws WardError('PROTOCOL') when a required part is missing or malformed. */
export function parseContourHeader(text: string): ContourHeader {
  const d = headerDelimiters(text);
  const { type, fields } = splitRecord(text, d);
  if (type !== 'H' || fields.length < 14) throw new WardError('PROTOCOL', 'The meter sent an incomplete header record.');
  const sender = fields[4].split(d.component);
  const [productCode, versionText, serial] = sender;
  if (!productCode || !serial || !/^[\x21-\x7e]{1,40}$/.test(serial) || !/^[\x21-\x7e]{1,40}$/.test(productCode)) {
    throw new WardError('PROTOCOL', 'The meter header has no valid model or serial number.');
  }
  const config = new Map<string, string>();
  for (const c of fields[5].split(d.component)) {
    const eq = c.indexOf('=');
    if (eq > 0) config.set(c.slice(0, eq), c.slice(eq + 1));
  }
  const u = config.get('U');
  if (u !== '0' && u !== '1') throw new WardError('PROTOCOL', 'The meter header does not state its glucose unit.');
  if (!/^\d{1,6}$/.test(fields[6])) throw new WardError('PROTOCOL', 'The meter header has an invalid record count.');
  const header: ContourHeader = {
    productCode,
    versions: (versionText ?? '').split(d.repeat).filter((v) => v.length > 0),
    serial,
    unit: u === '0' ? 'mg/dL' : 'mmol/L',
    recordCount: Number(fields[6]),
    // Field 14 (index 13) is the message time; the Next One ends the record with one more delimiter.
    deviceTime: astmDateTime(fields[13], 'the meter clock'),
    delimiters: d,
  };
  const v = config.get('V');
  if (v && /^\d{5}$/.test(v)) header.limits = { low: Number(v.slice(0, 2)), high: Number(v.slice(2)) };
  return header;
}

const FLAG_MAP: Readonly<Record<string, ReadingFlag>> = {
  '>': 'above-range',
  '<': 'below-range',
  C: 'control-solution',
  B: 'before-meal',
  A: 'after-meal',
};

export interface ContourResult {
  sequence: number;
  unit: 'mg/dL' | 'mmol/L';
  value: number;
  flags: ReadingFlag[];
  deviceTime: string;
  /** YYYYMMDDhhmm as sent (stable part of the record id). */
  rawTime: string;
}

/** Parses a result record; undefined for results that are not glucose (insulin, carbohydrate notes). */
export function parseContourResult(text: string, d: AstmDelimiters): ContourResult | undefined {
  const { type, fields } = splitRecord(text, d);
  if (type !== 'R' || fields.length < 9) throw new WardError('PROTOCOL', 'The meter sent an incomplete result record.');
  const testId = fields[2].split(d.component).at(-1);
  if (testId !== 'Glucose') return undefined;
  if (!/^\d{1,6}$/.test(fields[1])) throw new WardError('PROTOCOL', 'A result record from the meter has an invalid sequence number.');
  const sequence = Number(fields[1]);
  const unit = fields[4].split(d.component)[0];
  if (unit !== 'mg/dL' && unit !== 'mmol/L') throw new WardError('PROTOCOL', `Result record ${sequence} from the meter has an unknown unit.`);
  const valueText = fields[3];
  const valid = unit === 'mg/dL' ? /^\d{1,4}$/.test(valueText) : /^\d{1,3}(\.\d{1,2})?$/.test(valueText);
  if (!valid) throw new WardError('PROTOCOL', `Result record ${sequence} from the meter has an invalid value.`);
  const flags: ReadingFlag[] = [];
  for (const f of fields[6].split('/')) {
    const mapped = FLAG_MAP[f];
    if (mapped && !flags.includes(mapped)) flags.push(mapped);
  }
  const rawTime = fields[8];
  return { sequence, unit, value: Number(valueText), flags, deviceTime: astmDateTime(rawTime, `result record ${sequence}`), rawTime };
}

/** What one upload yields: the header and the memory in order (a record that cannot be read stays in place as a problem). */
export interface ContourUpload {
  header: ContourHeader;
  results: Array<ContourResult | { sequence: number; problem: string }>;
}

/**
 * Turns the records of one upload into header + results. The first record must be the header (no
 * unit, no readings without it); a result record that cannot be read becomes a problem entry.
 */
export function interpretContourRecords(records: readonly AstmRecord[]): ContourUpload {
  const first = records[0];
  if (!first || first.type !== 'H') throw new WardError('PROTOCOL', 'The meter did not start its upload with a header record.');
  const header = parseContourHeader(first.text);
  const results: ContourUpload['results'] = [];
  let position = 0;
  for (const r of records.slice(1)) {
    if (r.type !== 'R') continue; // P (patient), L (terminator), comments
    position++;
    try {
      const result = parseContourResult(r.text, header.delimiters);
      if (result) results.push(result);
    } catch (e) {
      if (!(e instanceof WardError) || e.code !== 'PROTOCOL') throw e;
      results.push({ sequence: position, problem: problemReason(e) });
    }
  }
  return { header, results };
}

/**
 * Results → readings. Contour records carry no stable id (sequence numbers shift as memory
 * fills), so the id is the record time plus its occurrence among records with that time.
 */
export function contourReadings(results: ContourUpload['results'], workstationTime: string): DeviceReading[] {
  const seen = new Map<string, number>();
  return results.map((r) => {
    if ('problem' in r) return unreadableRecord(`unreadable-${r.sequence}`, 'glucose', r.problem, workstationTime);
    const n = seen.get(r.rawTime) ?? 0;
    seen.set(r.rawTime, n + 1);
    return {
      deviceRecordId: `${r.rawTime}-${n}`,
      kind: 'glucose',
      measurements: [r.unit === 'mg/dL' ? capillaryGlucoseMgDl(r.value) : capillaryGlucoseMmolL(r.value)],
      deviceTime: r.deviceTime,
      workstationTime,
      flags: [...r.flags],
    };
  });
}

function contourSession(conn: HidConnection, info: HidDeviceInfo): DeviceSession {
  const link = new AstmHidLink(conn);
  const queue = new ExchangeSerializer();
  let upload: { data: ContourUpload; received: Date } | undefined;

  const ensureUpload = async (options?: ReadOptions): Promise<{ data: ContourUpload; received: Date }> => {
    if (upload) return upload;
    const step = stepOptions(options, METER_STEP_TIMEOUT_MS);
    let header: ContourHeader | undefined;
    let headerTime = new Date();
    const records = await link.receive(step, (r) => {
      // The header arrives first: remember when, for the clock drift.
      if (!header && r.type === 'H') {
        header = parseContourHeader(r.text);
        headerTime = new Date();
      }
    });
    upload = { data: interpretContourRecords(records), received: headerTime };
    return upload;
  };

  return {
    identify(options) {
      return queue.run(async () => {
        const { data, received } = await ensureUpload(options);
        const h = data.header;
        const identity: DeviceIdentity = {
          model: CONTOUR_MODELS[info.productId] ?? `Contour (${h.productCode})`,
          serial: h.serial,
          deviceTime: h.deviceTime,
          workstationTime: received.toISOString(),
          clockDriftSeconds: clockDriftSeconds(h.deviceTime, received),
        };
        if (h.versions.length > 0) identity.firmware = h.versions.join(' / ');
        return identity;
      });
    },
    readMemory(options) {
      return queue.run(async () => {
        const { data, received } = await ensureUpload(options);
        return contourReadings(data.results, received.toISOString());
      });
    },
    async close() {
      await conn.close().catch(() => undefined);
    },
  };
}

export const contourDriver: DeviceDriver = {
  id: 'ascensia-contour',
  model: 'Ascensia / Bayer Contour family',
  kind: 'glucometer',
  reads: 'memory',
  matches: Object.keys(CONTOUR_MODELS).map((pid) => ({ vendorId: CONTOUR_VENDOR_ID, productId: Number(pid) })),
  async open(connection, info) {
    return contourSession(connection, info);
  },
};
