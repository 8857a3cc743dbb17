/**
 * Where bed bindings are kept across restarts (issue 9 item 8: a restart used to end every
 * binding, so unattended recording stopped without a word): in the ward's store (issue 12), in the
 * same crash-safe database and the same backups as the records they produce. Holds no names of
 * patients: the patient's address, the monitor, the interval and who bound it.
 */
import { existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readJson } from '../platform/atomicFile';
import { log } from '../platform/log';
import type { Binding } from '../storage/storeTypes';
import type { WardStore } from '../storage/wardStore';

/** A monitor bound to a patient, by what identifies the monitor whatever port it is on. */
export type StoredBinding = Binding;

export interface BindingStore {
  load(): Promise<StoredBinding[]>;
  /** Keep a binding (replacing the monitor's earlier one), durably, before the change is acknowledged. */
  put(binding: StoredBinding): Promise<void>;
  /** Forget the monitor's binding, durably. */
  remove(monitor: { driver: string; serial: string }): Promise<void>;
}

/** The store's key of a monitor: driver and serial identify it on whatever port. */
export const monitorKey = (b: { driver: string; serial: string }): string => `${b.driver}\0${b.serial}`;

/** The bindings file kept before the store held them (issue 9 item 8 to issue 12), imported once. */
const LEGACY_FILE = 'bindings.json';
const legacyFile = z.object({
  v: z.literal(1),
  bindings: z.array(
    z.object({
      driver: z.string(),
      serial: z.string(),
      model: z.string(),
      patient: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
      intervalSeconds: z.number().positive(),
      boundBy: z.string(),
      since: z.number(),
    }),
  ),
});

/** Bed bindings in the ward store (table `binding`, by monitor). */
export class StoreBindings implements BindingStore {
  constructor(
    private readonly store: () => WardStore,
    private readonly dataDir: string,
  ) {}

  async load(): Promise<StoredBinding[]> {
    await this.importLegacyFile();
    return [...(await this.store().bindings()).values()];
  }

  put(binding: StoredBinding): Promise<void> {
    return this.store().write((w) => w.binding(monitorKey(binding), binding));
  }

  remove(monitor: { driver: string; serial: string }): Promise<void> {
    return this.store().write((w) => w.binding(monitorKey(monitor), null));
  }

  /**
   * A data directory from before: its bindings go into the store (a binding already there wins:
   * it is newer), durably, and only then is the file removed, so a crash in between imports again.
   */
  private async importLegacyFile(): Promise<void> {
    const path = join(this.dataDir, LEGACY_FILE);
    if (!existsSync(path)) return;
    const legacy =
      readJson<{ v: 1; bindings: StoredBinding[] }>(path, legacyFile, 'The bed bindings file (bindings.json: which monitor records into which patient’s record)', 'Remove it to start with no bed bindings (bind the monitors again).')
        ?.bindings ?? [];
    const kept = await this.store().bindings();
    const fresh = legacy.filter((b) => !kept.has(monitorKey(b)));
    if (fresh.length) await this.store().write((w) => fresh.forEach((b) => w.binding(monitorKey(b), b)));
    unlinkSync(path);
    log('info', 'devices.bindings_imported', { bindings: fresh.length });
  }
}
