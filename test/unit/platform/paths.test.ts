/**
 * isWithin (platform/paths.ts): "outside the data directory" for backups, on Linux and on Windows
 * path rules (Node's own path.win32: backslashes, drive letters, case-insensitive), which the
 * earlier `startsWith(dir + '/')` check got wrong on Windows.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWithin } from '../../../electron/core/platform/paths';

describe('isWithin', () => {
  it('on POSIX paths', () => {
    expect(isWithin('/var/ward', '/var/ward')).toBe(true);
    expect(isWithin('/var/ward', '/var/ward/backups/x.wlbk')).toBe(true);
    expect(isWithin('/var/ward/', '/var/ward/../ward/x')).toBe(true);
    expect(isWithin('/var/ward', '/var/ward-backups/x.wlbk')).toBe(false);
    expect(isWithin('/var/ward', '/var/ward/..backups')).toBe(true); // a folder named "..backups" inside
    expect(isWithin('/var/ward', '/var')).toBe(false);
    expect(isWithin('/var/ward', '/media/usb')).toBe(false);
  });

  it('on Windows paths', () => {
    const w = path.win32;
    expect(isWithin('C:\\WardLedger\\data', 'C:\\WardLedger\\data\\backup.wlbk', w)).toBe(true);
    expect(isWithin('C:\\WardLedger\\data', 'c:\\wardledger\\DATA\\backup.wlbk', w)).toBe(true);
    expect(isWithin('C:\\WardLedger\\data', 'C:/WardLedger/data/sub/backup.wlbk', w)).toBe(true);
    expect(isWithin('C:\\WardLedger\\data', 'C:\\WardLedger\\data-backups\\b.wlbk', w)).toBe(false);
    expect(isWithin('C:\\WardLedger\\data', 'D:\\WardLedger\\data\\b.wlbk', w)).toBe(false);
    expect(isWithin('C:\\WardLedger\\data', '\\\\server\\share\\b.wlbk', w)).toBe(false);
  });
});
