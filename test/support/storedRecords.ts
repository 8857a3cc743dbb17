/**
 * Edit a stored record on disk the way an attacker with file access would, without going through
 * the core: the one place tests know how the record store lays records out (records/log.jsonl
 * today; port this helper, not the tests, when the store changes).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredRecord } from '../../electron/core/records/storedRecord';

/** Apply `edit` to the stored record `recordId` in the (stopped) ward's data directory. */
export function editStoredRecord(dataDir: string, recordId: string, edit: (r: StoredRecord) => void): void {
  const path = join(dataDir, 'records', 'log.jsonl');
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  const i = lines.findIndex((l) => l.startsWith('{"t":"rec"') && (JSON.parse(l) as { r: StoredRecord }).r.id === recordId);
  if (i < 0) throw new Error(`record ${recordId} is not in the store`);
  const entry = JSON.parse(lines[i]!) as { t: 'rec'; r: StoredRecord };
  edit(entry.r);
  lines[i] = JSON.stringify(entry);
  writeFileSync(path, lines.join('\n') + '\n');
}
