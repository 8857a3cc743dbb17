/**
 * The README's Node.js prerequisites against what the installed packages declare (issue 11:
 * `npm ci` printed twenty engine warnings on Node 20 that the README did not mention). Every
 * package in package-lock.json whose `engines.node` excludes the README's minimum (20.19) must be
 * named there, and the version the README recommends for a quiet install must satisfy them all.
 * Range syntax as npm documents it (docs.npmjs.com, "semver": comparators, `^`, `||`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..', '..');
type Version = [number, number, number];

function parse(v: string): Version {
  const [a = 0, b = 0, c = 0] = v.replace(/^v/, '').split('.').map((x) => Number.parseInt(x, 10));
  return [a, b, c];
}
function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
function satisfiesComparator(v: Version, comparator: string): boolean {
  if (comparator === '*' || comparator === 'x') return true;
  const m = /^(>=|<=|>|<|=|\^|~)?\s*(\d+(?:\.\d+){0,2})$/.exec(comparator.trim());
  if (!m) throw new Error(`unsupported range part "${comparator}"`);
  const [, op = '=', raw] = m;
  const parts = raw!.split('.').length;
  const base = parse(raw!);
  const c = compare(v, base);
  switch (op) {
    case '>=': return c >= 0;
    case '>': return c > 0;
    case '<=': return c <= 0;
    case '<': return c < 0;
    case '^': return c >= 0 && v[0] === base[0] && (base[0] !== 0 || v[1] === base[1]);
    case '~': return c >= 0 && v[0] === base[0] && v[1] === base[1];
    // "20" means any 20.x.y, "20.19" any 20.19.y.
    default: return parts === 1 ? v[0] === base[0] : parts === 2 ? v[0] === base[0] && v[1] === base[1] : c === 0;
  }
}
export function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  return range.split('||').some((set) => {
    const comparators = set.trim().replace(/(>=|<=|>|<|=)\s+/g, '$1').split(/\s+/).filter(Boolean);
    return comparators.every((c) => satisfiesComparator(v, c));
  });
}

const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
};
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const minimum = /Node\.js (\d+\.\d+) or newer/.exec(readme)?.[1];
const quiet = /For a quiet install[^.]*?use Node (\d+\.\d+)\+ or (\d+\.\d+)\+/.exec(readme.replace(/\s+/g, ' '));

/** Packages npm installs here (optional platform packages of other systems are skipped by npm). */
const declared = Object.entries(lock.packages)
  .filter(([path, p]) => path.startsWith('node_modules/') && !p.optional && p.engines && !Array.isArray(p.engines) && p.engines.node)
  .map(([path, p]) => ({ name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), range: (p.engines as { node: string }).node }));

describe('the Node.js versions the README states', () => {
  it('reads the range syntax as npm does', () => {
    expect(satisfies('20.19.0', '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfies('20.19.0', '>= 22.12.0')).toBe(false);
    expect(satisfies('22.18.0', '^22.18.0 || >=24.2.0')).toBe(true);
    expect(satisfies('23.0.0', '^22.18.0 || >=24.2.0')).toBe(false);
    expect(satisfies('20.19.0', '18 || 20 || >=22')).toBe(true);
    expect(satisfies('21.0.0', '18 || 20 || >=22')).toBe(false);
  });

  it('names every package that asks for more than the minimum, and recommends versions that satisfy all', () => {
    expect(minimum).toBe('20.19');
    expect(quiet).not.toBeNull();
    const unmet = declared.filter((p) => !satisfies(`${minimum}.0`, p.range)).map((p) => p.name);
    expect(unmet.length).toBeGreaterThan(0);
    for (const name of unmet) expect(readme, `README does not mention ${name}`).toContain(`\`${name}\``);
    for (const v of [quiet![1]!, quiet![2]!]) {
      const failing = declared.filter((p) => !satisfies(`${v}.0`, p.range));
      expect(failing, `Node ${v} does not satisfy`).toEqual([]);
    }
  });

  it('runs this suite on the minimum major it claims', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(20);
    expect(satisfies(process.versions.node, `>=${minimum}.0`)).toBe(true);
  });
});
