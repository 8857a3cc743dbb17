/** `admin/*` and `settings/*`: the IT admin's approvals, member list and ward settings. */
import { requireSession, type HandlerContext } from '../router';
import type { ApiServices, HandlersFor } from './services';

export function adminHandlers({ config, approvals, sessions, storeAdmin, backup, backupSchedule }: ApiServices): HandlersFor<'admin' | 'settings'> {
  const wallet = (ctx: HandlerContext) => sessions.walletOf(requireSession(ctx));
  return {
    'admin/pending': async (ctx) => approvals.pending(wallet(ctx)),
    'admin/approve': async (ctx, input) => approvals.decide(wallet(ctx), input.address, 'approve'),
    'admin/reject': async (ctx, input) => approvals.decide(wallet(ctx), input.address, 'reject'),
    'admin/members': async (ctx) => approvals.members(wallet(ctx)),
    'admin/storeStatus': async () => storeAdmin.status(),
    'admin/confirmMigration': async () => storeAdmin.confirmMigration(),
    'admin/backup': async (_ctx, { out, passphrase, recoveryKey }) => backup.backup(out, recoveryKey !== undefined ? { recoveryKey } : passphrase!),
    'admin/scheduleBackups': async (_ctx, { folder, keep, passphrase, recoveryKey }) =>
      backupSchedule.arm(folder, keep, recoveryKey !== undefined ? { recoveryKey } : { passphrase: passphrase! }),
    'admin/stopBackups': async () => {
      await backupSchedule.disarm();
      return { stopped: true as const };
    },
    'settings/update': async (_ctx, input) => {
      config.update({
        ...(input.lockTimeoutSeconds !== undefined ? { lockTimeoutSeconds: input.lockTimeoutSeconds } : {}),
        ...(input.maxReadingAgeDays !== undefined ? { maxReadingAgeDays: input.maxReadingAgeDays } : {}),
        ...(input.glucoseUnit !== undefined ? { glucoseUnit: input.glucoseUnit } : {}),
      });
      return { lockTimeoutSeconds: config.lockTimeoutSeconds, maxReadingAgeDays: config.maxReadingAgeDays, glucoseUnit: config.glucoseUnit };
    },
  };
}
