/**
 * What the handlers are given (built by the core's object graph), the slice of the operation
 * table each handler file serves, and the acting person of a call.
 */
import type { WardNode } from '../../chain/wardNode';
import type { DeviceService } from '../../devices/deviceService';
import type { Actor } from '../../identity/actor';
import type { Approvals } from '../../identity/approvals';
import type { IdentityService } from '../../identity/identityService';
import type { SessionManager } from '../../identity/sessions';
import type { WardConfigStore } from '../../identity/wardConfig';
import type { AuditTrail } from '../../records/auditTrail';
import type { ConsentService } from '../../records/consentService';
import type { CareTransfers } from '../../records/careTransfer';
import type { ConsortiumSync } from '../../records/consortiumSync';
import type { IncomingTransfers } from '../../records/incomingTransfers';
import type { CrossWardShares } from '../../records/crossWardShares';
import type { ExportService } from '../../records/exportService';
import type { PatientChart } from '../../records/patientChart';
import type { ObservationDrafts } from '../../ward/observationDrafts';
import type { StoreAdmin } from '../../records/storeAdmin';
import type { MigratedVitalsRefiling } from '../../records/storeUpgradeRefiling';
import type { WardBackup } from '../../records/wardBackup';
import type { BackupSchedule } from '../../records/backupSchedule';
import type { WardDisk } from '../../records/wardDisk';
import type { PatientLists } from '../../ward/patientLists';
import type { WardBoard } from '../../ward/wardBoard';
import type { OperationName } from '../contract';
import { requireSession, type HandlerContext, type Handlers } from '../router';

export interface ApiServices {
  node: WardNode;
  config: WardConfigStore;
  identity: IdentityService;
  approvals: Approvals;
  sessions: SessionManager;
  board: WardBoard;
  patientLists: PatientLists;
  chart: PatientChart;
  drafts: ObservationDrafts;
  consent: ConsentService;
  audit: AuditTrail;
  exports: ExportService;
  devices: DeviceService;
  storeAdmin: StoreAdmin;
  disk: Pick<WardDisk, 'staffWarning'>;
  refiling: MigratedVitalsRefiling;
  backup: WardBackup;
  backupSchedule: BackupSchedule;
  consortium: ConsortiumSync;
  transfers: CareTransfers;
  incoming: IncomingTransfers;
  shares: CrossWardShares;
}

/** The handlers of the operations whose names start with one of the prefixes (`'ward'` → `ward/*`). */
export type HandlersFor<Prefix extends string> = Pick<Handlers, Extract<OperationName, `${Prefix}/${string}`>>;

/** The logged-in, unlocked person making the call. */
export function actorOf(sessions: SessionManager, ctx: HandlerContext): Actor {
  return sessions.actorOf(requireSession(ctx));
}
