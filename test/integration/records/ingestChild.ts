/**
 * Child process of recovery.test.ts: opens the stopped ward at argv[2] with a 10-minute anchor
 * window and records oximeter readings for the patient argv[3] through the station ingest queue,
 * one at a time, printing "durable <id>" as each is acknowledged (durable, not yet anchored) —
 * until the parent kills it.
 */
import { validateVitals } from '../../../electron/core/clinical/vitals';
import { openInternals } from '../../support/pipelineInternals';

async function main(): Promise<void> {
  const g = await openInternals(process.argv[2]!, { anchorWindowMs: 600_000 });
  const patient = process.argv[3]!;
  for (let i = 0; ; i++) {
    const v = validateVitals({ spo2: 92 + (i % 6), pulse: 60 + (i % 30) });
    if (!v.ok) throw new Error('bad sample');
    const { record, anchored } = await g.ingest.submit({
      patient,
      content: { vitals: v.value, device: { driver: 'contec-cms50e', model: 'CMS50E', serial: 'SIM-OX-9', deviceRecordId: String(i), receivedAt: new Date().toISOString() } },
      authorName: 'CMS50E SIM-OX-9',
    });
    void anchored.then(() => process.stdout.write(`anchored ${record.id}\n`));
    process.stdout.write(`durable ${record.id}\n`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
