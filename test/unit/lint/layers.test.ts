/**
 * The layer rule (eslint/layers.js) and the renderer edge, through the project's real ESLint
 * config: an import the table does not allow fails the lint, type imports included; allowed
 * imports pass.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function errors(filePath: string, code: string, rule: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === rule).map((m) => m.message);
}

const layerErrors = (filePath: string, code: string) => errors(filePath, code, 'wardledger/layers');

describe('core layers', () => {
  it('refuses imports upwards or sideways that the table does not list', async () => {
    expect(await layerErrors('electron/core/records/x.ts', "import type { OperationName } from '../api/contract';\nexport type T = OperationName;\n")).toEqual([
      expect.stringMatching(/^The records layer may not import electron\/core\/api\/contract\.ts \(api\)/),
    ]);
    expect(await layerErrors('electron/core/model/x.ts', "export { hexToBytes } from '../crypto/hex';\n")).toHaveLength(1);
    expect(await layerErrors('electron/core/devices/x.ts', "import { WardBoard } from '../ward/wardBoard';\nexport const b = WardBoard;\n")).toHaveLength(1);
    expect(await layerErrors('electron/server/x.ts', "import { RecordReader } from '../core/records/recordReader';\nexport const s = RecordReader;\n")).toHaveLength(1);
    // The store sits below the records: it keeps their format (storage/storedRecord.ts) and knows nothing else of them.
    expect(await layerErrors('electron/core/storage/x.ts', "import type { SealedContent } from '../records/recordCodec';\nexport type S = SealedContent;\n")).toHaveLength(1);
    expect(await layerErrors('electron/core/api/x.ts', "export const load = () => import('../graph');\n")).toHaveLength(1);
  });

  it('lets each layer import what it lists, and a shell the facade, the model and the contract', async () => {
    expect(await layerErrors('electron/core/records/x.ts', "import { WardError } from '../model/errors';\nimport type { Actor } from '../identity/actor';\nexport const e = WardError;\nexport type A = Actor;\n")).toEqual([]);
    expect(await layerErrors('electron/cli/x.ts', "import { createCore } from '../core/core';\nimport { operationNames } from '../core/api/contract';\nexport const c = [createCore, operationNames];\n")).toEqual([]);
  });

  it('asks for every new folder of the core to be given a layer', async () => {
    expect(await layerErrors('electron/core/newarea/x.ts', "import { WardError } from '../model/errors';\nexport const e = WardError;\n")).toEqual([
      expect.stringMatching(/is in no layer: add it to eslint\/layers\.js/),
    ]);
  });
});

describe('the renderer edge', () => {
  const rule = '@typescript-eslint/no-restricted-imports';
  it('takes the model and the contract\'s types, never the operations table or core code', async () => {
    const ok = "import type { OutputOf } from '../../electron/core/api/contract';\nimport { nameSchema } from '../../electron/core/model/fields';\nexport type O = OutputOf<'ward/status'>;\nexport const n = nameSchema;\n";
    expect(await errors('renderer/src/x.ts', ok, rule)).toEqual([]);
    expect(await errors('renderer/src/x.ts', "import { operations } from '../../electron/core/api/contract';\nexport const o = operations;\n", rule)).toHaveLength(1);
    expect(await errors('renderer/src/x.ts', "import { validateVitals } from '../../electron/core/clinical/vitals';\nexport const v = validateVitals;\n", rule)).toHaveLength(1);
  });
});
