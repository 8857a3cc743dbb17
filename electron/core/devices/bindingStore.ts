/**
 * Where bed bindings are kept across restarts (issue 9 item 8: a restart used to end every
 * binding, so unattended recording stopped without a word). A small interface, so the bindings
 * can move into the ward's indexed store (issue 12) without BedBinding changing.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { readJson, writeJsonDurable } from '../platform/atomicFile';

/** A monitor bound to a patient, by what identifies the monitor whatever port it is on. */
export interface StoredBinding {
  driver: string;
  serial: string;
  model: string;
  patient: string;
  intervalSeconds: number;
  /** The name of who bound it (recorded readings name them). */
  boundBy: string;
  since: number;
}

export interface BindingStore {
  load(): StoredBinding[];
  /** Replace what is kept, durably, before the change is acknowledged. */
  save(bindings: readonly StoredBinding[]): void;
}

const bindingsFile = z.object({
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

/** `<dataDir>/bindings.json`, written atomically (platform/atomicFile.ts). Holds no names of patients. */
export class BindingFile implements BindingStore {
  private readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'bindings.json');
  }

  load(): StoredBinding[] {
    return (
      readJson<{ v: 1; bindings: StoredBinding[] }>(this.path, bindingsFile, 'The bed bindings file (bindings.json: which monitor records into which patient’s record)', 'Remove it to start with no bed bindings (bind the monitors again).')?.bindings ?? []
    );
  }

  save(bindings: readonly StoredBinding[]): void {
    writeJsonDurable(this.path, { v: 1, bindings });
  }
}
