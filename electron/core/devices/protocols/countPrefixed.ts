/**
 * 8-byte HID reports whose first byte counts the valid bytes that follow (Omron HEM-790IT uses
 * the whole byte, Microlife BP the low nibble). Host messages are cut into such reports; device
 * messages are the concatenation of the valid parts.
 */
import { WardError } from '../../model/errors';

export const COUNT_REPORT_SIZE = 8;
/** Valid bytes a single 8-byte report can carry. */
export const COUNT_REPORT_CAPACITY = COUNT_REPORT_SIZE - 1;

/** Cuts `message` into `[count][≤7 bytes][zero padding]` reports. */
export function toCountPrefixedReports(message: ArrayLike<number>): Uint8Array[] {
  const bytes = Array.from(message);
  const reports: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += COUNT_REPORT_CAPACITY) {
    const chunk = bytes.slice(i, i + COUNT_REPORT_CAPACITY);
    const report = new Uint8Array(COUNT_REPORT_SIZE);
    report[0] = chunk.length;
    report.set(chunk, 1);
    reports.push(report);
  }
  return reports;
}

/**
 * The valid bytes of one input report. `countMask` selects the count bits of byte 0 (0xFF for
 * Omron, 0x0F for Microlife). A count equal to the report size is read as the whole report after
 * the count byte: a HEM-790IT sends `08 60 00 …` while clearing after a mode change (libomron
 * doc/logs/hem790it/790IT_OneReading.html seq 0284; libomron src/omron.c reads it as 7 bytes).
 * A count beyond that is a PROTOCOL error.
 */
export function countPrefixedPayload(report: Uint8Array, countMask: number, device: string): Uint8Array {
  if (report.length < 1) throw new WardError('PROTOCOL', `The ${device} sent an empty report.`);
  const claimed = report[0] & countMask;
  const count = claimed === COUNT_REPORT_SIZE && report.length === COUNT_REPORT_SIZE ? COUNT_REPORT_CAPACITY : claimed;
  if (count > COUNT_REPORT_CAPACITY || count > report.length - 1) {
    throw new WardError('PROTOCOL', `The ${device} sent a report claiming ${count} data bytes in a ${report.length}-byte report.`);
  }
  return report.slice(1, 1 + count);
}
