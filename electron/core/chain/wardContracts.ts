/**
 * Typed access to the ward's record contracts: RecordAnchors (Merkle-root batches) and
 * AccessLedger (consent and audit events). Deployed at first-run setup, after the registry.
 */
import { ethers } from 'ethers';
import { AccessLedger, RecordAnchors } from '../../../contracts/generated/artifacts';
import { deployContract, sendContractTx, type RevertMessages } from './sendTransaction';

const anchorsInterface = new ethers.Interface(RecordAnchors.abi as unknown as ethers.InterfaceAbi);
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
};

/** Audit action codes as AccessLedger defines them. */
export const auditActions = { read: 0, export: 1, verify: 2, amend: 3 } as const;
/** The consent scope used for "read my whole record". */
export const fullRecordScope = ethers.id('wardledger/consent/records/all');

export interface AnchorOnChain {
  batchId: number;
  submitter: string;
  timestamp: number;
  blockNumber: number;
  leafCount: number;
}

export class WardContracts {
  readonly anchors: ethers.Contract;
  readonly ledger: ethers.Contract;

  constructor(
    anchorsAddress: string,
    ledgerAddress: string,
    provider: ethers.Provider,
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
    );
  }
}

function safeParse(iface: ethers.Interface, log: ethers.Log): ethers.LogDescription | null {
  try {
    return iface.parseLog(log);
  } catch {
    return null;
  }
}
