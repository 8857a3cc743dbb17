/**
 * A transfer of care's note (consortium/grants.ts makeTransferGrant): found only by the ward it is
 * addressed to, opened only by the reader it names (the receiving care team), the same size
 * whatever the patient's name or the reason, and any altered byte refused.
 */
import { describe, expect, it } from 'vitest';
import { type ShareRecipient } from '../../../electron/core/consortium/batch';
import { GrantInbox, makeTransferGrant, openTransferGrant, type TransferNote } from '../../../electron/core/consortium/grants';
import { decodeGrant, encodeGrant, type TransferGrant } from '../../../electron/core/consortium/payload';
import type { ConsortiumContext } from '../../../electron/core/consortium/sealing';
import { WardError } from '../../../electron/core/model/errors';
import { newPatient, newWard, pub, type TestWard } from '../../support/consortiumFixtures';

const context: ConsortiumContext = { chainId: 4242, ledger: '0x' + '42'.repeat(20) };
const A = newWard('Ward A');
const B = newWard('Ward B');
const M = newWard('Ward M');
const syncKeys = new Map([A, B, M].map((w) => [w.sync.address.toLowerCase(), pub(w.sync)]));
const toTeam = (w: TestWard): ShareRecipient => ({ ward: w.sync.address, wardSyncPublicKey: pub(w.sync), readerPublicKey: pub(w.team) });
const publisherA = { account: A.sync.address, privateKey: A.sync.privateKey };
const note = (over: Partial<TransferNote> = {}): TransferNote => ({ name: 'Anna Example', dob: '1950-02-01', hospitalNumber: 'HN123', reason: 'Needs surgery', by: 'Nora Nurse (nurse)', at: 1_700_000_000_000, ...over });

function opened(to: TestWard, grant: Uint8Array): TransferGrant[] {
  const inbox = new GrantInbox(context, { account: to.sync.address, privateKey: to.sync.privateKey }, (w) => syncKeys.get(w.toLowerCase()));
  return inbox.isForMe(A.sync.address, grant) ? [inbox.open(A.sync.address, grant) as TransferGrant] : [];
}

describe('transfer grants', () => {
  const anna = newPatient(A, 'Anna Example');

  it('carries the note to the receiving care team only', () => {
    const grant = makeTransferGrant(context, publisherA, toTeam(B), anna.wallet.address, note());
    expect(opened(M, grant)).toEqual([]);
    const [g] = opened(B, grant);
    expect(g).toMatchObject({ kind: 'transfer', patient: anna.wallet.address, reader: pub(B.team).toLowerCase() });
    expect(openTransferGrant(g!, B.team.privateKey)).toEqual(note());
    // B's sync key (the workstation) finds the grant but cannot read the note: only the team key can.
    expect(() => openTransferGrant(g!, B.sync.privateKey)).toThrow(WardError);
    expect(() => openTransferGrant(g!, A.team.privateKey)).toThrow(WardError);
  });

  it('is the same size for a short and a long name and reason', () => {
    const short = makeTransferGrant(context, publisherA, toTeam(B), anna.wallet.address, note({ name: 'Al', reason: 'Bed' }));
    const long = makeTransferGrant(context, publisherA, toTeam(B), anna.wallet.address, note({ name: 'Marguerite Okonkwo-Lindqvist de la Tour', reason: 'x'.repeat(400) }));
    expect(short.length).toBe(long.length);
    expect(() => makeTransferGrant(context, publisherA, toTeam(B), anna.wallet.address, note({ reason: 'x'.repeat(1100) }))).toThrow(/too long/);
  });

  it('refuses a note altered in any byte, or moved to another patient', () => {
    const [g] = opened(B, makeTransferGrant(context, publisherA, toTeam(B), anna.wallet.address, note()));
    for (const at of [0, 100, g!.sealedNote.length - 1]) {
      const sealedNote = new Uint8Array(g!.sealedNote);
      sealedNote[at]! ^= 1;
      expect(() => openTransferGrant({ ...g!, sealedNote }, B.team.privateKey)).toThrow(WardError);
    }
    const bert = newPatient(A, 'Bert Example');
    expect(() => openTransferGrant({ ...g!, patient: bert.wallet.address }, B.team.privateKey)).toThrow(WardError);
    // The plaintext grant round-trips byte for byte.
    expect(decodeGrant(encodeGrant(g!))).toEqual(g);
  });
});
