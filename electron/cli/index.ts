/**
 * `wardledger` — the command line for IT staff and insurers.
 * Exit codes: 0 ok, 1 failure (or a record that fails verification), 2 usage or refused start.
 */
import { backup, backupUsage, recoveryKey, restore } from './backupCommand';
import { consortium, consortiumUsage } from './consortiumCommand';
import { exportRecords, exportUsage } from './exportCommand';
import { fail } from './io';
import { serve, serveUsage } from './serve';
import { verify, verifyUsage } from './verifyCommand';

const usage = `Usage:
${serveUsage}
${exportUsage}
${verifyUsage}
${backupUsage}
${consortiumUsage}
  wardledger help
`;

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'export':
      return exportRecords(rest);
    case 'verify':
      return verify(rest);
    case 'backup':
      return backup(rest);
    case 'restore':
      return restore(rest);
    case 'recovery-key':
      return recoveryKey(rest);
    case 'consortium':
      return consortium(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      return;
    default:
      fail(`unknown command "${command}".\n\n${usage}`, 2);
  }
}

main(process.argv.slice(2)).catch((e) => fail((e as Error)?.message ?? String(e)));
