/**
 * The core factory: one object graph from a data directory, started and stopped as a unit.
 * Start order: data-dir lock → ward chain → ward config and deployment check → sessions.
 * Stop runs in reverse and is safe to call twice.
 */
import { join } from 'node:path';
import { createHandlers } from './api/handlers';
import { Router } from './api/router';
import { WardNode } from './chain/wardNode';
import { lockDataDir } from './common/dataDirLock';
import { log } from './common/log';
import { EventHub } from './events';
import { IdentityService } from './identity/identityService';
import { SessionManager } from './identity/sessions';
import type { CoreConfig, WardCore } from './shellContract';
import { defaultLockTimeoutSeconds, WardConfigStore } from './wardConfig';

export type { CoreConfig, WardCore } from './shellContract';

export function createCore(config: CoreConfig): WardCore {
  const dataDir = config.dataDir;
  const events = new EventHub();
  const node = new WardNode(join(dataDir, 'chain'));
  const wardConfig = new WardConfigStore(dataDir);
  const identity = new IdentityService(dataDir, node, wardConfig, config.keystoreScryptN ?? 2 ** 17);
  const sessions = new SessionManager(events, () => wardConfig.get()?.lockTimeoutSeconds ?? defaultLockTimeoutSeconds);
  const router = new Router(createHandlers({ node, config: wardConfig, identity, sessions }), sessions, (channel, operation, label, fraction) =>
    events.publish(channel, { type: 'progress', operation, label, fraction }),
  );

  let release: (() => Promise<void>) | null = null;
  let state: 'new' | 'starting' | 'running' | 'stopped' = 'new';

  return {
    dataDir,

    async start() {
      if (state !== 'new') throw new Error('A core is started once.');
      state = 'starting';
      release = await lockDataDir(dataDir);
      try {
        await node.start();
        wardConfig.load();
        await identity.checkDeployment();
        sessions.start(config.lockCheckIntervalMs ?? 1000);
      } catch (e) {
        await node.stop().catch(() => undefined);
        await release();
        release = null;
        state = 'stopped';
        throw e;
      }
      state = 'running';
      log('info', 'core.started', { initialized: identity.initialized });
    },

    async stop() {
      if (state === 'stopped' || state === 'new') {
        state = 'stopped';
        return;
      }
      state = 'stopped';
      sessions.stop();
      await node.stop();
      await release?.();
      release = null;
      log('info', 'core.stopped');
    },

    call(ctx, operation, input) {
      if (state !== 'running') return Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: 'WardLedger is not running.' } });
      return router.call(ctx, operation, input);
    },

    subscribe(channel, listener) {
      return events.subscribe(channel, listener);
    },
  };
}
