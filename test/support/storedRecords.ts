/**
 * Edit a stored record on disk the way an attacker with file access would, without going through
 * the core: the tests that need it call this one helper, which reaches the store's own key layout
 * through storeTampering.ts (port those helpers, not the tests, when the store changes).
 */
import type { StoredRecord } from '../../electron/core/storage/storedRecord';
import { alterRecord } from './storeTampering';

/** Apply `edit` to the stored record `recordId` in the (stopped) ward's data directory. */
export function editStoredRecord(dataDir: string, recordId: string, edit: (r: StoredRecord) => void): Promise<void> {
  return alterRecord(dataDir, recordId, edit);
}
