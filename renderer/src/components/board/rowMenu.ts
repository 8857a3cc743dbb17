import type { RouteLocationRaw } from 'vue-router';
import type { ObservationStatus, PersonRef } from '../../api/contract';

/** One item of a row's actions menu (RowActionsMenu.vue): a link, or a button the page acts on. */
export interface MenuItem {
  key: string;
  /** Shown text. */
  text: string;
  /** Accessible name, naming the patient ("Enter vitals for Mary Major"). */
  label: string;
  to?: RouteLocationRaw;
  danger?: boolean;
}

/**
 * A patient row's actions, in one order on the board and the doctor's list: enter vitals (a
 * patient in a bed), open the record, record the escalation the board asks for (for the set that
 * called for it), discharge (when the viewer may).
 */
export function patientMenuItems(patient: PersonRef, o: ObservationStatus | null, may: { enterVitals: boolean; discharge: boolean }): MenuItem[] {
  const { name, address } = patient;
  const items: MenuItem[] = [];
  if (may.enterVitals) items.push({ key: 'vitals', text: 'Enter vitals', label: `Enter vitals for ${name}`, to: { name: 'vitals', params: { patient: address } } });
  items.push({ key: 'record', text: 'Open record', label: `Open record of ${name}`, to: { name: 'patient-record', params: { patient: address } } });
  const asked = o?.escalationDue ? (o.riskFromNewerReading ? o.newerReading : o.lastComplete) : null;
  if (asked) {
    items.push({ key: 'escalation', text: 'Record escalation', label: `Record escalation for ${name}`, to: { name: 'escalation', params: { patient: address, record: asked.recordId } } });
  }
  if (may.discharge) items.push({ key: 'discharge', text: 'Discharge…', label: `Discharge ${name}`, danger: true });
  return items;
}
