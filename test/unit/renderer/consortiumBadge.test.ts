import { describe, expect, it } from 'vitest';
import type { ConsortiumBadge } from '../../../electron/core/model/consortium';
import { consortiumChecks } from '../../../renderer/src/clinical/provenanceDisplay';

const badge = (over: Partial<ConsortiumBadge> = {}): ConsortiumBadge => ({ ward: '0x' + '11'.repeat(20), batchId: '0x' + 'ab'.repeat(32), block: 42, tx: '0x' + 'cd'.repeat(32), included: true, rootOnChain: true, from: null, ...over });
const inclusion = (b: ConsortiumBadge) => consortiumChecks(b).find((c) => c.label === 'Inclusion')!;

describe('the consortium badge in words', () => {
  it('says verified only when the proof holds and the ledger holds the root', () => {
    expect(inclusion(badge())).toMatchObject({ ok: true, value: expect.stringMatching(/^Verified/) });
    expect(inclusion(badge({ included: false }))).toMatchObject({ ok: false, value: expect.stringMatching(/^Not verified/) });
    // A proof that holds against a root the ledger does not hold is not verified either.
    expect(inclusion(badge({ rootOnChain: false }))).toMatchObject({ ok: false, value: expect.stringMatching(/^Not verified/) });
    // Offline: not a failure, not a verification.
    expect(inclusion(badge({ rootOnChain: null }))).toMatchObject({ ok: null, value: expect.stringContaining('offline') });
  });

  it('names the block, the transaction and, for a received record, the ward it came from', () => {
    const checks = consortiumChecks(badge({ from: { account: '0x' + '22'.repeat(20), name: 'Ward 2 Medical' } }));
    expect(checks[0]).toMatchObject({ label: 'From', value: 'Ward 2 Medical (received through the consortium)' });
    expect(checks.find((c) => c.label === 'Consortium block')!.value).toBe('42');
    expect(checks.find((c) => c.label === 'Consortium transaction')).toMatchObject({ value: '0x' + 'cd'.repeat(32), mono: true });
    expect(consortiumChecks(badge()).some((c) => c.label === 'From')).toBe(false);
    expect(consortiumChecks(badge({ tx: null })).find((c) => c.label === 'Consortium transaction')!.value).toMatch(/retry/);
    // A received record: the receiving ward knows the batch's block, not its transaction; no "retry" of its own.
    const received = consortiumChecks(badge({ tx: null, from: { account: '0x' + '22'.repeat(20), name: 'Ward 2 Medical' } }));
    expect(received.find((c) => c.label === 'Consortium transaction')).toMatchObject({ value: 'Published by Ward 2 Medical in that block', mono: false });
  });
});
