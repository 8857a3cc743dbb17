/**
 * The same contracts on the configuration of the brief (shanghai, EIP-1559), where senders must
 * hold ether: one end-to-end pass through registry, anchoring and consent/audit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { id } from 'ethers';
import { Role, as, deployWard, enrol, eventsOf, loadArtifacts, randomBytes32, send, startChain, type TestChain } from './chain';

describe('ward contracts on shanghai with funded senders', () => {
  let chain: TestChain;
  let artifacts: Awaited<ReturnType<typeof loadArtifacts>>;

  beforeAll(async () => {
    artifacts = await loadArtifacts();
    chain = await startChain('shanghai-funded');
  });
  afterAll(async () => chain.close());

  it('registers, anchors, verifies, grants and audits; senders pay a base fee', async () => {
    const ward = await deployWard(chain, artifacts);
    const nurse = await enrol(chain, ward, Role.Nurse);
    const patient = await enrol(chain, ward, Role.Patient);
    expect(await ward.registry.hasRole(nurse.address, Role.Nurse)).toBe(true);

    const tree = StandardMerkleTree.of(
      Array.from({ length: 7 }, () => [randomBytes32(), randomBytes32()]),
      ['bytes32', 'bytes32'],
    );
    const anchored = await send(as(ward.anchors, nurse), 'anchorBatch', tree.root, 7);
    expect(anchored.gasPrice).toBeGreaterThan(0n);
    expect(await chain.provider.getBalance(nurse.address)).toBeLessThan(10n ** 21n);
    expect(await ward.anchors.verifyLeaf(tree.root, tree.getProof(4), tree.leafHash(tree.at(4)!))).toBe(true);

    await send(as(ward.ledger, patient), 'grant', nurse.address, id('records:read'));
    expect(await ward.ledger.isGranted(patient.address, nurse.address, id('records:read'))).toBe(true);
    const audited = await send(as(ward.ledger, nurse), 'recordAccess', randomBytes32(), tree.root, 0, randomBytes32(), true);
    expect(eventsOf(audited, ward.ledger, 'AccessAudited')[0].breakGlass).toBe(true);
  });
});
