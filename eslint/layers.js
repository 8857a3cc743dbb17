/**
 * The layers of the core, and what each may import (docs/design.md, "Layers"). Every file under
 * electron/ belongs to one layer; an import into another layer that the table does not allow is
 * an error, type imports included. Layers only ever import layers listed before them, so the
 * layers cannot form an import cycle.
 */
import { dirname, relative, resolve } from 'node:path';

const root = dirname(dirname(new URL(import.meta.url).pathname));

/** name → the files it holds (folders end in /) and what it may import (layers, or single files). */
export const layers = {
  model: { holds: ['electron/core/model/'], may: [] },
  crypto: { holds: ['electron/core/crypto/'], may: ['model'] },
  platform: { holds: ['electron/core/platform/'], may: ['model'] },
  chain: { holds: ['electron/core/chain/'], may: ['model', 'platform'] },
  clinical: { holds: ['electron/core/clinical/'], may: ['model', 'crypto'] },
  identity: { holds: ['electron/core/identity/'], may: ['model', 'crypto', 'platform', 'chain'] },
  consortium: { holds: ['electron/core/consortium/'], may: ['model', 'crypto', 'platform', 'chain'] },
  // The store defines the record format it keeps (storage/storedRecord.ts); the record layer is its one user.
  storage: { holds: ['electron/core/storage/'], may: ['model', 'crypto', 'platform'] },
  // records/ wires the consortium sync engine to the ward's store (consortiumOutbox, consortiumInbox, consortiumSync).
  records: { holds: ['electron/core/records/'], may: ['model', 'crypto', 'platform', 'chain', 'consortium', 'storage', 'clinical', 'identity'] },
  ward: { holds: ['electron/core/ward/'], may: ['model', 'platform', 'clinical', 'identity', 'records'] },
  devices: { holds: ['electron/core/devices/'], may: ['model', 'platform', 'clinical', 'identity', 'records'] },
  demo: { holds: ['electron/core/demo/'], may: ['model', 'clinical', 'identity', 'records', 'ward'] },
  api: { holds: ['electron/core/api/'], may: ['model', 'platform', 'chain', 'clinical', 'identity', 'records', 'ward', 'devices'] },
  facade: {
    holds: ['electron/core/core.ts', 'electron/core/graph.ts', 'electron/core/shellContract.ts', 'electron/core/offlineVerify.ts', 'electron/core/consortiumTools.ts', 'electron/core/backupTools.ts', 'electron/core/prestartChain.ts'],
    may: ['model', 'crypto', 'platform', 'chain', 'consortium', 'storage', 'clinical', 'identity', 'records', 'ward', 'devices', 'demo', 'api'],
  },
  common: { holds: ['electron/common/'], may: [] },
  shells: {
    holds: ['electron/main/', 'electron/server/', 'electron/cli/'],
    may: ['facade', 'model', 'common', 'electron/core/api/contract.ts', 'electron/core/platform/log.ts'],
  },
  preload: { holds: ['electron/preload/'], may: ['model', 'common', 'electron/core/api/contract.ts'] },
};

function layerOf(file) {
  for (const [name, layer] of Object.entries(layers)) {
    if (layer.holds.some((h) => (h.endsWith('/') ? file.startsWith(h) : file === h))) return name;
  }
  return null;
}

/** The repository path of an import, with its .ts ending (a folder's index is in the folder's layer too). */
function target(fromFile, source) {
  const path = relative(root, resolve(root, dirname(fromFile), source));
  return /\.(ts|js|mjs|vue|json)$/.test(path) ? path : `${path}.ts`;
}

export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep the core in its layers: each layer imports only the layers below it that it lists.' },
    schema: [],
  },
  create(context) {
    const file = relative(root, context.filename);
    if (!file.startsWith('electron/')) return {};
    const from = layerOf(file);
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      if (from === null) {
        context.report({ node, message: `${file} is in no layer: add it to eslint/layers.js (and docs/design.md).` });
        return;
      }
      const to = target(file, source);
      const toLayer = layerOf(to);
      if (toLayer === null || toLayer === from) return;
      if (layers[from].may.includes(toLayer) || layers[from].may.includes(to)) return;
      context.report({ node, message: `The ${from} layer may not import ${to} (${toLayer}): it may import ${layers[from].may.join(', ') || 'nothing of the core'} (eslint/layers.js).` });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
