/**
 * The ward a verifier trusts, and the questions it asks that ward's chain about an export. Trust
 * comes from outside the file being verified: the ward's identity (registry address and chain id)
 * is pinned by whoever verifies (this running ward, a ward data directory, or `--registry` given
 * by the user and shown in the report); an anchor contract named by the file counts only when it
 * is this ward's (named in the ward's settings, or the genuine RecordAnchors code bound to the
 * pinned registry); the author's role is the registry's at the block the record was anchored in;
 * display names come from the ward's staff directory, never from the file.
 */
import { ethers } from 'ethers';
import { RecordAnchors, WardRegistry } from '../../../contracts/generated/artifacts';
import { WardError } from '../model/errors';
import type { Role } from '../model/people';

/** Who the verifier trusts, as the report shows it. */
export interface WardIdentity {
  chainId: number;
  registry: string;
  /** Where the identity was pinned: 'this ward', 'the data directory DIR' or 'the --registry flag'. */
  pinnedBy: string;
}

export interface AnchorLocation {
  batchId: number;
  block: number;
}

/** What a verifier asks the trusted ward's chain. Every method may throw when the chain cannot be asked. */
export interface TrustedWard {
  identity: WardIdentity;
  /** Why `contract` on `chainId` is not this ward's anchor contract, or null when it is. */
  anchorContractProblem(chainId: number, contract: string): Promise<string | null>;
  /** Where `root` was anchored on that contract, or null when it never was. */
  anchorOf(contract: string, root: string): Promise<AnchorLocation | null>;
  /** Whether transaction `tx` is the one that anchored `root` as `batchId` in `block` on `contract`. */
  anchoredBy(tx: string, contract: string, at: AnchorLocation, root: string): Promise<boolean>;
  /**
   * The role `author` held in the ward at `block` ('station' for a workstation of the anchor
   * contract `contract`, when given), null for none.
   */
  roleAt(author: string, contract: string | null, block: number | 'latest'): Promise<Role | 'station' | null>;
  /** Whether `address` is an anchoring workstation of the ward now (the signer of export manifests). */
  isStation(contract: string, address: string): Promise<boolean>;
  /** The author's name in the ward's staff directory, when the verifier has it. */
  nameOf(author: string): string | null;
}

const registryInterface = new ethers.Interface(WardRegistry.abi as unknown as ethers.InterfaceAbi);
const anchorsInterface = new ethers.Interface(RecordAnchors.abi as unknown as ethers.InterfaceAbi);
const roleByIndex: Array<Role | null> = [null, 'it-admin', 'doctor', 'nurse', 'patient', 'insurer'];
const APPROVED = 2;

export interface TrustedWardOptions {
  /** The ward's anchor contract when the verifier knows it (its settings); otherwise its code is checked. */
  anchors?: string;
  /** A staff member's name in the ward directory, when the verifier has it. */
  staffName?: (address: string) => string | null;
}

/** A TrustedWard answered by `provider`, the chain the pinned identity is on. */
export function trustedWardOn(provider: ethers.Provider, identity: WardIdentity, options: TrustedWardOptions = {}): TrustedWard {
  const registry = new ethers.Contract(identity.registry, registryInterface, provider);
  const anchorsAt = (address: string) => new ethers.Contract(address, anchorsInterface, provider);

  const checkContract = async (contract: string): Promise<string | null> => {
    if (options.anchors) {
      return ethers.getAddress(options.anchors) === contract ? null : `The anchor contract ${contract} is not this ward's (${ethers.getAddress(options.anchors)}).`;
    }
    const code = await provider.getCode(contract);
    const bound = '000000000000000000000000' + identity.registry.slice(2).toLowerCase();
    // The deployed RecordAnchors code with its one immutable (the registry) blanked out must be the
    // code this version compiles: then only the pinned registry's members could anchor there.
    if (!code.includes(bound) || code.split(bound).join('0'.repeat(64)) !== RecordAnchors.deployedBytecode.toLowerCase()) {
      return `The contract ${contract} named by the anchor is not a WardLedger anchor contract of the ward registry ${identity.registry}.`;
    }
    return null;
  };

  /** Answers that cannot change once given (an anchored root, a mined receipt, state at a past block), asked once. */
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, ask: () => Promise<T>, keep: (answer: T) => boolean = () => true): Promise<T> => {
    const hit = memo.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    const answer = ask();
    memo.set(key, answer);
    answer.then(
      (a) => (keep(a) ? undefined : memo.delete(key)),
      () => memo.delete(key),
    );
    return answer;
  };

  return {
    identity,
    anchorContractProblem(chainId, contract) {
      if (chainId !== identity.chainId) return Promise.resolve(`The anchor names chain ${chainId}; the ward's chain is ${identity.chainId}.`);
      return once(`contract:${contract}`, () => checkContract(contract));
    },
    anchorOf(contract, root) {
      return once(
        `anchor:${contract}:${root}`,
        async () => {
          const a = await anchorsAt(contract).getFunction('anchorOf')(root);
          return Number(a.batchId) === 0 ? null : { batchId: Number(a.batchId), block: Number(a.blockNumber) };
        },
        (a) => a !== null, // not anchored yet may change
      );
    },
    async anchoredBy(tx, contract, at, root) {
      const receipt = await once(`receipt:${tx}`, () => provider.getTransactionReceipt(tx), (r) => r !== null);
      if (!receipt || receipt.status !== 1 || receipt.blockNumber !== at.block) return false;
      return receipt.logs.some((log) => {
        if (log.address.toLowerCase() !== contract.toLowerCase()) return false;
        const event = anchorsInterface.parseLog(log);
        return event?.name === 'BatchAnchored' && Number(event.args[0]) === at.batchId && String(event.args[1]).toLowerCase() === root.toLowerCase();
      });
    },
    roleAt(author, contract, block) {
      const ask = async (): Promise<Role | 'station' | null> => {
        const m = await registry.getFunction('member')(author, { blockTag: block });
        if (Number(m.status) === APPROVED) return roleByIndex[Number(m.role)] ?? null;
        if (contract === null) return null;
        return (await anchorsAt(contract).getFunction('isStation')(author, { blockTag: block })) ? 'station' : null;
      };
      return block === 'latest' ? ask() : once(`role:${author}:${contract}:${block}`, ask);
    },
    async isStation(contract, address) {
      return (await anchorsAt(contract).getFunction('isStation')(address)) as boolean;
    },
    nameOf(author) {
      if (!ethers.isAddress(author)) return null;
      return options.staffName?.(author) ?? null;
    },
  };
}

/**
 * The pinned identity of the ward whose registry is `registry`, on the chain `provider` reaches.
 * @throws WardError('CHAIN') when the chain cannot be reached, or the registry is not on it
 */
export async function identityOn(provider: ethers.Provider, registry: string, pinnedBy: string): Promise<WardIdentity> {
  if (!ethers.isAddress(registry)) throw new WardError('BAD_INPUT', `The ward registry ${registry} is not an account address.`);
  const address = ethers.getAddress(registry);
  let chainId: number;
  let code: string;
  try {
    chainId = Number((await provider.getNetwork()).chainId);
    code = await provider.getCode(address);
  } catch (e) {
    throw new WardError('CHAIN', `The chain could not be reached: ${(e as Error).message.split('\n')[0]}`);
  }
  if (code === '0x') throw new WardError('CHAIN', `There is no ward registry at ${address} on chain ${chainId}: is this the ward's chain?`);
  return { chainId, registry: address, pinnedBy };
}
