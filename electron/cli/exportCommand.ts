/** `wardledger export`: a patient's records as a FHIR R4 Bundle, for the patient or their clinician. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WardError } from '../core/model/errors';
import { createCore } from '../core/core';
import { defaultDataDir } from './dataDir';
import { fail, parse, readPassword } from './io';

export const exportUsage = `  wardledger export --user NAME [--patient ADDRESS] [--out FILE] [--data-dir DIR]
      Export a patient's records as a FHIR R4 Bundle (JSON). Log in as NAME (password from
      WARDLEDGER_PASSWORD or standard input). Patients export their own record; doctors and
      insurers name the patient's account address. Writes to FILE or standard output.`;

export async function exportRecords(args: string[]): Promise<void> {
  const { values } = parse(args, { user: { type: 'string' }, patient: { type: 'string' }, out: { type: 'string' }, 'data-dir': { type: 'string' } }, exportUsage);
  if (!values.user) fail(`--user is required.\n\n${exportUsage}`, 2);
  const password = await readPassword(`Password for ${values.user}: `);
  const core = createCore({ dataDir: resolve(values['data-dir'] ?? defaultDataDir()) });
  try {
    await core.start();
  } catch (e) {
    fail(e instanceof WardError ? e.message : String(e), 2);
  }
  try {
    const ctx = { sessionToken: null as string | null, channel: 'cli' };
    const login = await core.call(ctx, 'session/login', { name: values.user, password });
    if (!login.ok) fail(login.error.message);
    const session = login.result as { token: string; profile: { address: string; role: string } };
    ctx.sessionToken = session.token;
    const patient = values.patient ?? (session.profile.role === 'patient' ? session.profile.address : undefined);
    if (!patient) fail('--patient ADDRESS is required when exporting as a clinician or insurer.', 2);
    const r = await core.call(ctx, 'export/fhir', { patient });
    if (!r.ok) fail(r.error.message);
    const { bundle, filename } = r.result as { bundle: unknown; filename: string };
    const json = JSON.stringify(bundle, null, 2) + '\n';
    if (values.out) {
      writeFileSync(values.out, json);
      process.stderr.write(`Exported to ${values.out} (suggested name ${filename}).\n`);
    } else process.stdout.write(json);
  } finally {
    await core.stop();
  }
}
