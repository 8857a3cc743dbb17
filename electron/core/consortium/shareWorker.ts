/**
 * A worker thread that verifies shares (openShare) for the puller (shareVerifier.ts): the records
 * opened, the share's inclusion, credentials and signatures — most of a pull's CPU — off the thread
 * that reads the chain and opens the grants. Stateless: each request carries the grant, the share's
 * sealed records, what the ledger stores for the batch and the consortium.
 */
import { parentPort } from 'node:worker_threads';
import { useFastKeccak } from '../crypto/keccak';
import { WardError, type WardErrorCode } from '../model/errors';
import { openShare, type BatchOnChain, type OpenedShare } from './batch';
import type { ShareGrant } from './payload';
import type { ConsortiumContext } from './sealing';

export interface VerifyRequest {
  id: number;
  grant: ShareGrant;
  /** The share's sealed records only (grant.first … grant.first + grant.count − 1). */
  sealed: Uint8Array[];
  /** How many records the batch holds. */
  total: number;
  onChain: BatchOnChain;
  context: ConsortiumContext;
}

export type VerifyReply = { id: number; result: OpenedShare } | { id: number; error: { code: WardErrorCode; message: string } };

/** openShare on a request: the share's records put back at their places in the batch. */
export function verifyRequest(req: VerifyRequest): OpenedShare {
  const sealed = new Array<Uint8Array>(req.total);
  req.sealed.forEach((r, i) => (sealed[req.grant.first + i] = r));
  return openShare(req.grant, sealed, req.onChain, req.context);
}

if (parentPort) {
  const port = parentPort;
  const ready = useFastKeccak(); // as the core does at start
  port.on('message', (req: VerifyRequest) => {
    void ready.then(() => {
      let reply: VerifyReply;
      try {
        reply = { id: req.id, result: verifyRequest(req) };
      } catch (e) {
        reply = { id: req.id, error: e instanceof WardError ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: 'A share could not be verified.' } };
      }
      port.postMessage(reply);
    });
  });
}
