/**
 * FHIR export of a patient's record (audited), and verification of an export file against this
 * ward (audited when it names one of this ward's patients). The file format is in
 * fhirExchange.ts and exportManifest.ts, its checks in exportVerification.ts.
 */
import { ethers } from 'ethers';
import { trustedWardOn, type TrustedWard } from '../chain/trustedWard';
import type { WardNode } from '../chain/wardNode';
import type { Actor } from '../identity/actor';
import type { IdentityService } from '../identity/identityService';
import type { People } from '../identity/people';
import { WardError } from '../model/errors';
import type { VerificationReport } from '../model/records';
import type { AccessPolicy } from './access';
import type { AuditTrail } from './auditTrail';
import { LedgerReader } from '../consortium/ledgerReader';
import { NodeUnreachable } from '../consortium/rpc';
import type { ConsortiumSettings } from '../model/consortium';
import { ConsortiumPlaceCheck } from './exportConsortium';
import { exportBundle } from './fhirExchange';
import { verifyExport } from './exportVerification';
import type { Patients } from './patients';
import type { RecordReader } from './recordReader';
import type { AnchorRef } from '../storage/storedRecord';
import type { ConsortiumPlace } from '../storage/storeTypes';
import type { WardStore } from '../storage/wardStore';
import type { OpenedStored } from './provenance';

export class ExportService {
  constructor(
    private readonly node: WardNode,
    private readonly identity: IdentityService,
    private readonly store: () => WardStore,
    private readonly patients: Patients,
    private readonly access: AccessPolicy,
    private readonly reader: RecordReader,
    private readonly audit: AuditTrail,
    private readonly people: People,
    private readonly station: () => ethers.Signer,
    /** The workstation's consortium settings (records/consortiumSync.ts), null when it has none. */
    private readonly consortiumSettings: () => ConsortiumSettings | null = () => null,
  ) {}

  private consortium(): ConsortiumSettings | null {
    try {
      return this.consortiumSettings();
    } catch {
      return null; // damaged settings: the IT admin's console says so; exports and checks go on without the consortium
    }
  }

  private get ward(): { chainId: number; registry: string; anchors: string } {
    const config = this.identity.wardConfig;
    return { chainId: this.node.options.chainId, registry: ethers.getAddress(config.registryAddress), anchors: ethers.getAddress(config.contracts.anchors) };
  }

  /** This ward, as a verifier in it trusts it: its own chain, settings and staff directory. */
  trustedWard(): TrustedWard {
    const { chainId, registry, anchors } = this.ward;
    return trustedWardOn(this.node.provider, { chainId, registry, pinnedBy: 'this ward' }, { anchors, staffName: (a) => this.identity.directory.staffName(a)?.name ?? null });
  }

  /** The patient's records as a FHIR R4 Bundle, with everything needed to verify them. */
  async exportFor(actor: Actor, patientAddress: string): Promise<{ filename: string; bundle: unknown }> {
    const patient = ethers.getAddress(patientAddress);
    this.access.basis(actor, patient);
    const { opened, anchors, places } = await this.wholeHistory(actor, patient);
    const consortium = this.consortium();
    const person = await this.people.namesFor(actor).person(patient);
    const patientRef = this.patients.refOf(patient);
    const bundle = await exportBundle({
      patientRef,
      ...(person.age >= 0 ? { patientName: person.name } : {}),
      opened,
      anchors: (id) => anchors.get(id),
      ...(consortium ? { consortiumPlaces: (id: string) => { const place = places.get(id); return place && { place, chainId: consortium.chainId, ledger: consortium.ledger }; } } : {}),
      ward: this.ward,
      station: this.station(),
      exportedBy: actor.address,
    });
    await this.audit.record(actor, patient, 'export');
    return { filename: exportFilename(person, patientRef, new Date()), bundle };
  }

  /** Every record of the patient, oldest first, verified, with the proofs an export carries (and consortium places). */
  private async wholeHistory(actor: Actor, patient: string): Promise<{ opened: OpenedStored[]; anchors: Map<string, AnchorRef>; places: Map<string, ConsortiumPlace> }> {
    const opened: OpenedStored[] = [];
    const anchors = new Map<string, AnchorRef>();
    const places = new Map<string, ConsortiumPlace>();
    let cursor: string | null = null;
    do {
      const page = await this.store().window(patient, { order: 'asc', limit: 2000, cursor, proofs: true });
      const verified = await this.reader.openEntries(actor, page.items);
      const pagePlaces = await this.store().consortiumPlaces(page.items.map((e) => e.record.id));
      pagePlaces.forEach((p, i) => p && places.set(page.items[i]!.record.id, p));
      page.items.forEach((e, i) => {
        // The stored record as read now (with its proofs), with what verification found.
        opened.push({ ...verified[i]!, record: e.record });
        if (e.anchor) anchors.set(e.record.id, e.anchor);
      });
      cursor = page.next;
    } while (cursor);
    return { opened, anchors, places };
  }

  /**
   * Check an export file; anchors are looked up on this ward's chain only (others: not checked),
   * consortium places on the consortium of this workstation's settings (none: not checked). A
   * consortium node that does not answer leaves the places unchecked and the report says so.
   */
  async verify(actor: Actor, bundle: unknown): Promise<VerificationReport> {
    const report = await verifyExport(bundle, this.trustedWard(), await this.consortiumCheck());
    const patientId = (bundle as { entry?: Array<{ resource?: { resourceType?: string; id?: string; identifier?: Array<{ value?: string }> } }> })?.entry?.find(
      (e) => e.resource?.resourceType === 'Patient',
    )?.resource?.identifier?.[0]?.value;
    if (report.checked > 0 && typeof patientId === 'string' && /^0x[0-9a-f]{64}$/.test(patientId)) {
      await this.audit.record(actor, null, 'verify', { patientRef: patientId }).catch(() => undefined);
    }
    return report;
  }

  /** The consortium of this workstation's settings, opened; or null when it has none. */
  private async consortiumCheck(): Promise<ConsortiumPlaceCheck | null> {
    const s = this.consortium();
    if (!s) return null;
    const check = new ConsortiumPlaceCheck(new LedgerReader({ url: s.url, ledger: s.ledger, expectedChainId: s.chainId, requestTimeoutMs: CONSORTIUM_TIMEOUT_MS }), {
      url: s.url,
      ledger: s.ledger,
      chainId: s.chainId,
      pinnedBy: "this workstation's consortium settings",
    });
    try {
      await check.open();
    } catch (e) {
      check.cannotCheck(e instanceof NodeUnreachable ? `the node does not answer: ${e.reason}` : e instanceof WardError ? e.message : 'the consortium could not be read');
    }
    return check;
  }
}

/** How long the insurer's screen waits for one answer of the consortium node. */
const CONSORTIUM_TIMEOUT_MS = 8000;

/**
 * "Peter-Patient-RX100071-records-2026-11-27.fhir.json": the patient (name and hospital number,
 * as the reader may see them; else the record reference) and the day of the export, in letters
 * and digits of any script, so a file in a downloads folder says whose it is and from when.
 */
export function exportFilename(person: { name: string; age: number; hospitalNumber: string | null }, patientRef: string, at: Date): string {
  const who = person.age >= 0 ? [person.name, person.hospitalNumber ?? ''].join(' ') : `patient ${patientRef.slice(2, 10)}`;
  const safe = who.normalize('NFKC').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '') || 'patient';
  return `${safe}-records-${at.toISOString().slice(0, 10)}.fhir.json`;
}
