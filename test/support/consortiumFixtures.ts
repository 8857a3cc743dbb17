/**
 * Ward records as the ward writes them (recordCodec + EIP-712 signature + scope key), for the
 * consortium tests: nurse sets signed one by one, and station readings under one batch signature
 * with per-record proofs, exactly as records/recordWriter.ts and records/stationWriter.ts build
 * them (EIP-712 typed data version 2: the author's role signed); and, with `signedBeforeRoles`,
 * as records written before the role was signed (version 1) are stored.
 */
import { randomBytes } from 'node:crypto';
import { Wallet } from 'ethers';
import type { RecordContent } from '../../electron/core/model/records';
import { signCredential, type AuthorCredential } from '../../electron/core/consortium/credentials';
import type { PublishableRecord } from '../../electron/core/consortium/payload';
import type { ConsortiumContext } from '../../electron/core/consortium/sealing';
import { createKeyScope, type ScopeKey } from '../../electron/core/crypto/keyScope';
import { patientRef } from '../../electron/core/crypto/commitment';
import { buildBatch } from '../../electron/core/crypto/merkle';
import { signBatchRoot, signRecord } from '../../electron/core/crypto/recordSignature';
import { encodeRecord, fieldsOf, storedRecordOf } from '../../electron/core/records/recordCodec';
import { vitalsContent } from '../bench/vitalsContent';

export interface TestPatient {
  wallet: Wallet;
  name: string;
  ref: string;
  scope: { scopeId: string; key: ScopeKey; keys: ReturnType<typeof createKeyScope>['scope'] };
}

export interface TestWard {
  name: string;
  /** Sync account (publishes on the consortium). */
  sync: Wallet;
  team: Wallet;
  station: Wallet;
  nurse: Wallet;
  shareSecret: Uint8Array;
  pseudonymSecret: Uint8Array;
}

export function newWard(name: string): TestWard {
  return {
    name,
    sync: Wallet.createRandom() as unknown as Wallet,
    team: Wallet.createRandom() as unknown as Wallet,
    station: Wallet.createRandom() as unknown as Wallet,
    nurse: Wallet.createRandom() as unknown as Wallet,
    shareSecret: new Uint8Array(randomBytes(32)),
    pseudonymSecret: new Uint8Array(randomBytes(32)),
  };
}

/** The 64-byte public key (registry format) of a wallet. */
export function pub(w: { signingKey: { publicKey: string } }): string {
  return '0x' + w.signingKey.publicKey.slice(4);
}

export function newPatient(ward: TestWard, name: string): TestPatient {
  const wallet = Wallet.createRandom() as unknown as Wallet;
  const created = createKeyScope([pub(wallet), pub(ward.team)], '0x' + randomBytes(16).toString('hex'));
  return { wallet, name, ref: patientRef(ward.pseudonymSecret, wallet.address), scope: { scopeId: created.scope.scopeId, key: created.key, keys: created.scope } };
}

export function credentialsOf(ward: TestWard, context: ConsortiumContext): (author: string) => AuthorCredential | undefined {
  const list = [signCredential(ward.nurse.signingKey, context, ward.sync.address, 'nurse'), signCredential(ward.station.signingKey, context, ward.sync.address, 'station')];
  return (author) => list.find((c) => c.member.toLowerCase() === author.toLowerCase());
}

function noteContent(patient: TestPatient, i: number): RecordContent {
  return { note: `Observation ${i} for ${patient.name}: settled overnight, mobilising with help.` };
}

/** A nurse's record, signed one by one (records/addVitals or addNote). */
export function nurseRecord(ward: TestWard, patient: TestPatient, i: number, createdAt = Date.now() + i): PublishableRecord {
  const content = i % 3 === 2 ? noteContent(patient, i) : vitalsContent(i);
  const e = encodeRecord({ patient: patient.wallet.address, patientRef: patient.ref, kind: content.note ? 'note' : 'vitals', author: ward.nurse.address, authorRole: 'nurse', authorName: 'Nora Nurse', content, createdAt });
  return storedRecordOf(e, { signature: signRecord(ward.nurse, e.fields), cipher: patient.scope.key.seal(e.plaintext, e.id) });
}

/** A nurse's record as an earlier version wrote it: signed without the role (typed data version 1). */
export function nurseRecordSignedBeforeRoles(ward: TestWard, patient: TestPatient, i: number): PublishableRecord {
  const { signedVersion: _signedWithRole, ...record } = nurseRecord(ward, patient, i);
  return { ...record, signature: signRecord(ward.nurse, fieldsOf(record as Parameters<typeof fieldsOf>[0])) };
}

/** Station readings of several patients under one batch signature, as station ingest writes them. */
export function stationRecords(ward: TestWard, items: Array<{ patient: TestPatient; i: number }>, t0 = Date.now(), signedBeforeRoles = false): PublishableRecord[] {
  const encoded = items.map(({ patient, i }) => {
    const content: RecordContent = {
      ...vitalsContent(i),
      device: { driver: 'cms50e', model: 'CMS50E', serial: 'SN-0042', deviceRecordId: `r${i}`, receivedAt: new Date(t0 + i).toISOString() },
    };
    const e = encodeRecord({ patient: patient.wallet.address, patientRef: patient.ref, kind: 'vitals', author: ward.station.address, authorRole: 'station', authorName: 'Bed monitor', content, createdAt: t0 + i });
    return { e, cipher: patient.scope.key.seal(e.plaintext, e.id) };
  });
  const tree = buildBatch(encoded.map(({ e }) => ({ recordId: e.id, patientRef: e.fields.patientRef, commitment: e.commitment, author: ward.station.address, createdAt: e.createdAt })));
  const createdAt = Date.now();
  const { signature } = signBatchRoot(ward.station, tree.root, encoded.length, createdAt, signedBeforeRoles ? undefined : 'station');
  return encoded.map(({ e, cipher }) => {
    const { signedVersion, ...stored } = storedRecordOf(e, { signature: '', batchSignature: { root: tree.root, count: encoded.length, createdAt, signature, proof: tree.proofs.get(e.id.toLowerCase())! }, cipher });
    return signedBeforeRoles ? stored : { ...stored, signedVersion };
  });
}
