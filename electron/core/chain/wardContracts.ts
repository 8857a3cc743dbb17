/**
 * Typed access to the ward's record contracts: RecordAnchors (Merkle-root batches) and
 * AccessLedger (consent and audit events). Deployed at first-run setup, after the registry.
 */
import { ethers } from 'ethers';
import { AccessLedger, RecordAnchors } from '../../../contracts/generated/artifacts';
import { deployContract, sendContractTx, type RevertMessages } from './sendTransaction';

const anchorsInterface = new ethers.Interface(RecordAnchors.abi as unknown as ethers.InterfaceAbi);
const batchAnchoredTopic = anchorsInterface.getEvent('BatchAnchored')!.topicHash;
const ledgerInterface = new ethers.Interface(AccessLedger.abi as unknown as ethers.InterfaceAbi);

const anchorErrors: RevertMessages = {
  NotAuthorised: ['FORBIDDEN', 'This account may not anchor records on the ward chain.'],
  NotITAdmin: ['FORBIDDEN', 'Only an approved IT admin can do this.'],
  EmptyBatch: ['BAD_INPUT', 'An anchor needs at least one record.'],
  AlreadyAnchored: ['CONFLICT', 'These records are already anchored.'],
};

const ledgerErrors: RevertMessages = {
  NotPatient: ['FORBIDDEN', 'Only the patient can change who may read the record.'],
  UnknownGrantee: ['BAD_INPUT', 'That person is not an approved member of the ward.'],
  AlreadyGranted: ['CONFLICT', 'That person can already read your record.'],
  NotGranted: ['CONFLICT', 'That person has no access to revoke.'],
  NotMember: ['FORBIDDEN', 'Only approved ward members can read records.'],
  BreakGlassNotAllowed: ['FORBIDDEN', 'Only doctors and nurses may use emergency access.'],
  ReasonRequired: ['BAD_INPUT', 'Emergency access needs a reason.'],
  LengthMismatch: ['BAD_INPUT', 'The audit batch is malformed.'],
  NotAdmitted: ['CONFLICT', 'The ward chain has no admission of this patient.'],
  AlreadyAdmitted: ['CONFLICT', 'The ward chain already has this patient admitted.'],
  NotDoctor: ['BAD_INPUT', 'The responsible doctor must be an approved doctor of this ward.'],
  CareChangeNotAllowed: ['FORBIDDEN', 'The ward chain refused this change of care: only a nurse or the responsible doctor may make it.'],
};

/** Audit action codes as AccessLedger defines them. */
export const auditActions = { read: 0, export: 1, verify: 2, amend: 3, list: 4 } as const;
/** Care changes as AccessLedger's CareChanged event numbers them. */
export const careChanges = { admit: 0, 'assign-doctor': 1, discharge: 2 } as const;

/** Where a transaction was mined. */
export interface Mined {
  tx: string;
  block: number;
}
/** The consent scope used for "read my whole record". */
export const fullRecordScope = ethers.id('wardledger/consent/records/all');

export interface AnchorOnChain {
  batchId: number;
  submitter: string;
  timestamp: number;
  blockNumber: number;
  leafCount: number;
}

/** A BatchAnchored event: what the chain holds of an anchor batch. */
export interface BatchOnChain {
  batchId: number;
  root: string;
  submitter: string;
  leafCount: number;
  block: number;
  tx: string;
}

/** An AccessGranted or AccessRevoked event, in chain order. */
export interface ConsentOnChain {
  action: 'grant' | 'revoke';
  patient: string;
  grantee: string;
  block: number;
  tx: string;
}

/** An AccessAudited event: what the chain holds of an access (the patient only as a pseudonym). */
export interface AuditOnChain {
  patientRef: string;
  actor: string;
  action: number;
  breakGlass: boolean;
  /** Seconds since the epoch (the block's time). */
  timestamp: number;
  block: number;
  tx: string;
}

/**
 * recordAccess costs a fixed amount (a registry lookup and one event of fixed size: under 40k gas,
 * measured in test/integration/contracts/access-ledger.test.ts): a fixed limit spares every read an
 * estimate (an EVM run on the chain's thread); gas is free on the ward chain.
 */
export const RECORD_ACCESS_GAS_LIMIT = 200_000n;

export class WardContracts {
  readonly anchors: ethers.Contract;
  readonly ledger: ethers.Contract;

  constructor(
    anchorsAddress: string,
    ledgerAddress: string,
    private readonly provider: ethers.Provider,
  ) {
    this.anchors = new ethers.Contract(anchorsAddress, anchorsInterface, provider);
    this.ledger = new ethers.Contract(ledgerAddress, ledgerInterface, provider);
  }

  static async deploy(admin: ethers.Signer, registryAddress: string): Promise<{ anchors: string; ledger: string }> {
    const anchors = await deployContract(anchorsInterface, RecordAnchors.bytecode, admin, [registryAddress], anchorErrors);
    const ledger = await deployContract(ledgerInterface, AccessLedger.bytecode, admin, [registryAddress], ledgerErrors);
    return { anchors: anchors.address, ledger: ledger.address };
  }

  addStation(admin: ethers.Signer, station: string): Promise<ethers.TransactionReceipt> {
    return sendContractTx(this.anchors, admin, 'addStation', [station], anchorErrors);
  }

  isStation(station: string): Promise<boolean> {
    return this.anchors.getFunction('isStation')(station) as Promise<boolean>;
  }

  /** Anchor a batch root; returns the batch id and where it was mined. */
  async anchorBatch(signer: ethers.Signer, root: string, count: number): Promise<{ batchId: number; block: number; tx: string }> {
    // anchorBatch costs about 142k gas whatever the batch size: a fixed limit saves an estimate per batch.
    const receipt = await sendContractTx(this.anchors, signer, 'anchorBatch', [root, count], anchorErrors, 400_000n);
    const event = receipt.logs.map((l) => safeParse(anchorsInterface, l)).find((e) => e?.name === 'BatchAnchored');
    return { batchId: Number(event?.args[0] ?? 0), block: receipt.blockNumber, tx: receipt.hash };
  }

  /** The anchor of a root, or null when the root was never anchored. */
  async anchorOf(root: string): Promise<AnchorOnChain | null> {
    const a = await this.anchors.getFunction('anchorOf')(root);
    if (Number(a.batchId) === 0) return null;
    return { batchId: Number(a.batchId), submitter: a.submitter, timestamp: Number(a.timestamp), blockNumber: Number(a.blockNumber), leafCount: Number(a.leafCount) };
  }

  grant(patient: ethers.Signer, grantee: string): Promise<ethers.TransactionReceipt> {
    return sendContractTx(this.ledger, patient, 'grant', [grantee, fullRecordScope], ledgerErrors);
  }

  revoke(patient: ethers.Signer, grantee: string): Promise<ethers.TransactionReceipt> {
    return sendContractTx(this.ledger, patient, 'revoke', [grantee, fullRecordScope], ledgerErrors);
  }

  isGranted(patient: string, grantee: string): Promise<boolean> {
    return this.ledger.getFunction('isGranted')(patient, grantee, fullRecordScope) as Promise<boolean>;
  }

  /** Record many accesses by one actor in one transaction (e.g. the patients shown on a ward board). */
  recordAccessBatch(
    actor: ethers.Signer,
    entries: Array<{ patientRef: string; subjectRef: string; action: number; reasonCommitment: string; breakGlass: boolean }>,
  ): Promise<ethers.TransactionReceipt> {
    return sendContractTx(
      this.ledger,
      actor,
      'recordAccessBatch',
      [entries.map((e) => e.patientRef), entries.map((e) => e.subjectRef), entries.map((e) => e.action), entries.map((e) => e.reasonCommitment), entries.map((e) => e.breakGlass)],
      ledgerErrors,
    );
  }

  admit(actor: ethers.Signer, patientRef: string, responsibleDoctor: string | null): Promise<Mined> {
    return mined(sendContractTx(this.ledger, actor, 'admit', [patientRef, responsibleDoctor ?? ethers.ZeroAddress], ledgerErrors));
  }

  assignDoctor(actor: ethers.Signer, patientRef: string, doctor: string): Promise<Mined> {
    return mined(sendContractTx(this.ledger, actor, 'assignDoctor', [patientRef, doctor], ledgerErrors));
  }

  discharge(actor: ethers.Signer, patientRef: string): Promise<Mined> {
    return mined(sendContractTx(this.ledger, actor, 'discharge', [patientRef], ledgerErrors));
  }

  /** A patient's care relationships as the chain holds them. */
  blockNumber(): Promise<number> {
    return this.provider.getBlockNumber();
  }

  async careOf(patientRef: string): Promise<{ admitted: boolean; responsibleDoctor: string | null }> {
    const c = await this.ledger.getFunction('careOf')(patientRef);
    return { admitted: c.admitted as boolean, responsibleDoctor: c.responsibleDoctor === ethers.ZeroAddress ? null : ethers.getAddress(c.responsibleDoctor) };
  }

  /** The newest CareChanged of this patient by this actor since `fromBlock` (to settle an interrupted change). */
  findCareChange(patientRef: string, actor: string, fromBlock: number): Promise<Mined | null> {
    return this.lastEvent('CareChanged', [patientRef, ethers.zeroPadValue(actor, 32)], fromBlock);
  }

  /** The newest AccessGranted or AccessRevoked of this patient and grantee since `fromBlock`. */
  findConsentChange(action: 'grant' | 'revoke', patient: string, grantee: string, fromBlock: number): Promise<Mined | null> {
    return this.lastEvent(action === 'grant' ? 'AccessGranted' : 'AccessRevoked', [ethers.zeroPadValue(patient, 32), ethers.zeroPadValue(grantee, 32)], fromBlock);
  }

  private async lastEvent(name: string, topics: string[], fromBlock: number): Promise<Mined | null> {
    const logs = await this.provider.getLogs({ address: this.ledger.target as string, topics: [ledgerInterface.getEvent(name)!.topicHash, ...topics], fromBlock, toBlock: 'latest' });
    const last = logs.at(-1);
    return last ? { tx: last.transactionHash, block: last.blockNumber } : null;
  }

  /** BatchAnchored events in a block range, in chain order. */
  async batchesAnchored(fromBlock: number, toBlock: number): Promise<BatchOnChain[]> {
    const logs = await this.provider.getLogs({ address: this.anchors.target as string, topics: [batchAnchoredTopic], fromBlock, toBlock });
    return logs.map((l) => this.batchOf(l));
  }

  /**
   * A BatchAnchored log read from its topics (batch id, root, submitter) and data (leaf count)
   * directly: ethers' parseLog builds a Result object per log, most of reading a sweep's logs.
   */
  private batchOf(l: ethers.Log): BatchOnChain {
    const [topic, id, root, submitter] = l.topics;
    if (topic !== batchAnchoredTopic || id === undefined || root === undefined || submitter === undefined || l.data.length !== 66) {
      throw new Error(`Not a BatchAnchored log: ${l.transactionHash}#${l.index}`);
    }
    return { batchId: Number(BigInt(id)), root: root.toLowerCase(), submitter: ethers.getAddress('0x' + submitter.slice(26)), leafCount: Number(BigInt(l.data)), block: l.blockNumber, tx: l.transactionHash };
  }

  /** BatchAnchored events of these roots in a block range (one query; the roots are a topic filter). */
  async batchesWithRoots(roots: readonly string[], fromBlock: number, toBlock: number): Promise<BatchOnChain[]> {
    if (roots.length === 0) return [];
    const topics = [batchAnchoredTopic, null, roots.map((r) => r.toLowerCase())];
    const logs = await this.provider.getLogs({ address: this.anchors.target as string, topics, fromBlock, toBlock });
    return logs.map((l) => this.batchOf(l));
  }

  /** AccessGranted and AccessRevoked events in a block range (of one patient, or all), in chain order. */
  async consentChanges(fromBlock: number, toBlock: number, patient?: string): Promise<ConsentOnChain[]> {
    const topics = [[ledgerInterface.getEvent('AccessGranted')!.topicHash, ledgerInterface.getEvent('AccessRevoked')!.topicHash], ...(patient ? [ethers.zeroPadValue(patient, 32)] : [])];
    const logs = await this.provider.getLogs({ address: this.ledger.target as string, topics, fromBlock, toBlock });
    return logs.map((l) => {
      const e = ledgerInterface.parseLog(l)!;
      return { action: e.name === 'AccessGranted' ? 'grant' : 'revoke', patient: ethers.getAddress(e.args[0] as string), grantee: ethers.getAddress(e.args[1] as string), block: l.blockNumber, tx: l.transactionHash };
    });
  }

  /** AccessAudited events in a block range (of one patient reference, or all), in chain order. */
  async accessesAudited(fromBlock: number, toBlock: number, patientRef?: string): Promise<AuditOnChain[]> {
    const topics = [ledgerInterface.getEvent('AccessAudited')!.topicHash, ...(patientRef ? [patientRef] : [])];
    const logs = await this.provider.getLogs({ address: this.ledger.target as string, topics, fromBlock, toBlock });
    return logs.map((l) => {
      const e = ledgerInterface.parseLog(l)!;
      return {
        patientRef: (e.args[0] as string).toLowerCase(),
        actor: ethers.getAddress(e.args[1] as string),
        action: Number(e.args[2]),
        breakGlass: e.args[5] as boolean,
        timestamp: Number(e.args[6]),
        block: l.blockNumber,
        tx: l.transactionHash,
      };
    });
  }

  /** One audited access; every read sends one, so it skips the estimate (see RECORD_ACCESS_GAS_LIMIT). */
  recordAccess(
    actor: ethers.Signer,
    entry: { patientRef: string; subjectRef: string; action: number; reasonCommitment: string; breakGlass: boolean },
  ): Promise<ethers.TransactionReceipt> {
    return sendContractTx(
      this.ledger,
      actor,
      'recordAccess',
      [entry.patientRef, entry.subjectRef, entry.action, entry.reasonCommitment, entry.breakGlass],
      ledgerErrors,
      RECORD_ACCESS_GAS_LIMIT,
    );
  }
}

async function mined(receipt: Promise<ethers.TransactionReceipt>): Promise<Mined> {
  const r = await receipt;
  return { tx: r.hash, block: r.blockNumber };
}

function safeParse(iface: ethers.Interface, log: ethers.Log): ethers.LogDescription | null {
  try {
    return iface.parseLog(log);
  } catch {
    return null;
  }
}
