#!/usr/bin/env node
/**
 * Counts import cycles in the product code (electron/, renderer/src/), type-only imports included:
 * groups of modules that import each other, directly or round about (strongly connected
 * components of the import graph). Prints each cycle's modules; exits 1 when there is any.
 * `npm run check` runs it, so the count stays zero. Usage: node scripts/importCycles.mjs [dir...]
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['electron', 'renderer/src'];
const importPattern = /(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s*['"](\.[^'"]+)['"]|(?:^|[\s;(])import\s*\(?\s*['"](\.[^'"]+)['"]/g;

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|vue|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function resolveImport(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.vue`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const files = dirs.flatMap((d) => sources(resolve(root, d)));
const edges = new Map(files.map((f) => [f, new Set()]));
for (const file of files) {
  for (const m of readFileSync(file, 'utf8').matchAll(importPattern)) {
    const to = resolveImport(file, m[1] ?? m[2]);
    if (to && edges.has(to)) edges.get(file).add(to);
  }
}

// Tarjan's strongly connected components.
let index = 0;
const stack = [];
const state = new Map();
const cycles = [];
function visit(v) {
  const s = { index, low: index, onStack: true };
  state.set(v, s);
  index++;
  stack.push(v);
  for (const w of edges.get(v)) {
    const t = state.get(w);
    if (!t) {
      visit(w);
      s.low = Math.min(s.low, state.get(w).low);
    } else if (t.onStack) s.low = Math.min(s.low, t.index);
  }
  if (s.low === s.index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      state.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || edges.get(v).has(v)) cycles.push(component);
  }
}
for (const f of files) if (!state.has(f)) visit(f);

for (const [i, c] of cycles.entries()) console.log(`cycle ${i + 1}: ${c.map((f) => relative(root, f)).sort().join(', ')}`);
console.log(`import cycles: ${cycles.length} (${files.length} modules in ${dirs.join(', ')})`);
process.exitCode = cycles.length ? 1 : 0;
