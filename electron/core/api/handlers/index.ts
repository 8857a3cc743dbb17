/**
 * Every operation's handler: thin adapters from a call (session, validated input) to the
 * services, one file per area named like the operation keys. TypeScript checks that together
 * they serve the whole table (a missing handler does not compile).
 */
import type { Handlers } from '../router';
import { adminHandlers } from './admin';
import { auditHandlers } from './audit';
import { consentHandlers } from './consent';
import { consortiumHandlers } from './consortium';
import { deviceHandlers } from './devices';
import { exportHandlers } from './export';
import { homeHandlers } from './home';
import { recordHandlers } from './records';
import type { ApiServices } from './services';
import { sessionHandlers } from './session';
import { shareHandlers } from './share';
import { transferHandlers } from './transfer';
import { wardHandlers } from './ward';

export type { ApiServices } from './services';

export function createHandlers(services: ApiServices): Handlers {
  return {
    ...wardHandlers(services),
    ...sessionHandlers(services),
    ...adminHandlers(services),
    ...homeHandlers(services),
    ...recordHandlers(services),
    ...consentHandlers(services),
    ...auditHandlers(services),
    ...exportHandlers(services),
    ...deviceHandlers(services),
    ...consortiumHandlers(services),
    ...transferHandlers(services),
    ...shareHandlers(services),
  };
}
