import { describe, expect, it } from 'vitest';
import { formatBytes, formatDateTime, formatDateTimeSeconds } from '../../../renderer/src/format';

// Times on the 24-hour clock whatever the locale's habit: "Every entry in the medical record should
// be dated and timed (24 hour clock)" (Royal College of Physicians, Generic medical record keeping
// standards, standard 5); the charts' axes, the flowsheet and the record list already write 16:00.
describe('dates and times for people', () => {
  const afternoon = new Date(2026, 10, 29, 16, 2, 5);
  const afterMidnight = new Date(2026, 10, 29, 0, 30, 0);

  it('writes times on the 24-hour clock, midnight as 00', () => {
    expect(formatDateTime(afternoon.toISOString())).toContain('16:02');
    expect(formatDateTime(afternoon.getTime())).not.toMatch(/AM|PM/i);
    expect(formatDateTime(afterMidnight.toISOString())).toContain('00:30');
    expect(formatDateTimeSeconds(afternoon.toISOString())).toContain('16:02:05');
  });

  it('shows a dash for no time, and text that is not a date as it is', () => {
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('not a date')).toBe('not a date');
    expect(formatDateTimeSeconds(undefined, 'never')).toBe('never');
  });

  it('writes sizes in binary units as df -h does: MB to a whole number, GB to one decimal', () => {
    expect(formatBytes(1_137_717_970)).toBe('1.1 GB'); // the 1,000,000-record bench ward: du -sb 1137717970, du -sh 1.1G
    expect(formatBytes(78_018_781_184)).toBe('72.7 GB'); // df -h: 73G
    expect(formatBytes(47 * 2 ** 20 + 1)).toBe('47 MB');
    expect(formatBytes(1234)).toBe('1 KB');
  });
});
