/**
 * Compiles every contracts/*.sol with the pinned solc-js and writes typed artifacts to
 * contracts/generated/artifacts.ts. Run with `npx tsx contracts/compile.ts`.
 *
 * Deterministic: the same sources, compiler and settings give a byte-identical file. A hash of
 * those inputs is stored in the file, so an unchanged tree is detected without loading solc
 * (several seconds), and an unchanged result is never rewritten (keeps watchers and mtimes quiet).
 * Exit code 1 with solc's formatted messages on any compile error.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PINNED_SOLC = '0.8.28';
const EVM_VERSION = 'paris';
const OPTIMIZER_RUNS = 200;

/** `--src DIR` and `--out FILE` exist for the compile step's own tests; the build uses defaults. */
function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const contractsDir = resolve(argValue('--src') ?? dirname(fileURLToPath(import.meta.url)));
const outFile = resolve(argValue('--out') ?? join(contractsDir, 'generated', 'artifacts.ts'));
const outDir = dirname(outFile);

interface SolcMessage {
  severity: 'error' | 'warning' | 'info';
  formattedMessage?: string;
  message: string;
}
interface AstNode {
  nodeType: string;
  name?: string;
  contractKind?: string;
  abstract?: boolean;
  nodes?: AstNode[];
}
interface SolcOutput {
  errors?: SolcMessage[];
  sources?: Record<string, { ast: AstNode }>;
  contracts?: Record<
    string,
    Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
}
interface Artifact {
  name: string;
  abi: unknown[];
  bytecode: string;
  deployedBytecode: string;
}

class CompileFailure extends Error {}

/** Source files keyed by bare file name, so `import "./X.sol"` resolves among them. */
function readSources(): Record<string, { content: string }> {
  const names = readdirSync(contractsDir)
    .filter((f) => f.endsWith('.sol'))
    .sort();
  if (names.length === 0) throw new CompileFailure(`No .sol files in ${contractsDir}.`);
  return Object.fromEntries(names.map((n) => [n, { content: readFileSync(join(contractsDir, n), 'utf8') }]));
}

function solcPackageVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('solc/package.json') as { version: string }).version;
}

function standardInput(sources: Record<string, { content: string }>) {
  return {
    language: 'Solidity',
    sources,
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: { enabled: true, runs: OPTIMIZER_RUNS },
      outputSelection: {
        '*': { '': ['ast'], '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
      },
    },
  };
}

/** Everything that can change the output: compiler, settings, sources and this generator. */
function inputHash(input: object): string {
  const generator = readFileSync(fileURLToPath(import.meta.url), 'utf8');
  return createHash('sha256')
    .update(JSON.stringify({ solc: solcPackageVersion(), input, generator }))
    .digest('hex');
}

function existingHash(): string | undefined {
  if (!existsSync(outFile)) return undefined;
  return /^export const sourceHash = '([0-9a-f]{64})';$/m.exec(readFileSync(outFile, 'utf8'))?.[1];
}

async function loadPinnedSolc() {
  const { default: solc } = await import('solc');
  const version = solc.version();
  if (!version.startsWith(`${PINNED_SOLC}+`)) {
    throw new CompileFailure(`solc ${version} is installed but WardLedger pins ${PINNED_SOLC}; reinstall dependencies.`);
  }
  return { solc, version };
}

/** Deployable contracts only: interfaces, libraries and abstract contracts are skipped. */
function deployableNames(ast: AstNode): Set<string> {
  return new Set(
    (ast.nodes ?? [])
      .filter((n) => n.nodeType === 'ContractDefinition' && n.contractKind === 'contract' && !n.abstract)
      .map((n) => n.name ?? ''),
  );
}

function collectArtifacts(output: SolcOutput): Artifact[] {
  const artifacts: Artifact[] = [];
  for (const file of Object.keys(output.contracts ?? {}).sort()) {
    const deployable = deployableNames(output.sources?.[file]?.ast ?? { nodeType: 'SourceUnit' });
    const contracts = output.contracts?.[file] ?? {};
    for (const name of Object.keys(contracts).sort()) {
      if (!deployable.has(name)) continue;
      if (artifacts.some((a) => a.name === name)) throw new CompileFailure(`Contract name ${name} is defined twice.`);
      const c = contracts[name];
      artifacts.push({
        name,
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      });
    }
  }
  if (artifacts.length === 0) throw new CompileFailure('Compilation produced no deployable contract.');
  return artifacts;
}

function indent(text: string, spaces: number): string {
  return text.replace(/\n/g, `\n${' '.repeat(spaces)}`);
}

function render(artifacts: Artifact[], solcVersion: string, hash: string): string {
  const lines = [
    '// Generated by contracts/compile.ts from contracts/*.sol. Do not edit; run `npm run contracts`.',
    '',
    `export const solcVersion = '${solcVersion}';`,
    `export const evmVersion = '${EVM_VERSION}';`,
    `export const sourceHash = '${hash}';`,
  ];
  for (const a of artifacts) {
    lines.push(
      '',
      `export const ${a.name} = {`,
      `  contractName: '${a.name}',`,
      `  abi: ${indent(JSON.stringify(a.abi, null, 2), 2)} as const,`,
      `  bytecode: '${a.bytecode}',`,
      `  deployedBytecode: '${a.deployedBytecode}',`,
      '} as const;',
    );
  }
  const names = artifacts.map((a) => a.name).join(', ');
  lines.push('', `export const artifacts = { ${names} } as const;`, '');
  return lines.join('\n');
}

/** Writes atomically (temp + rename) so parallel runs and readers never see a partial file. */
function writeIfChanged(content: string): boolean {
  if (existsSync(outFile) && readFileSync(outFile, 'utf8') === content) return false;
  mkdirSync(outDir, { recursive: true });
  const tmp = `${outFile}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, outFile);
  return true;
}

async function main(): Promise<void> {
  const input = standardInput(readSources());
  const hash = inputHash(input);
  if (existingHash() === hash) {
    console.log('contracts: up to date');
    return;
  }
  const { solc, version } = await loadPinnedSolc();
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), { import: (path) => ({ error: `Import ${path} is not in contracts/.` }) }),
  ) as SolcOutput;

  const messages = output.errors ?? [];
  for (const m of messages.filter((x) => x.severity !== 'error')) console.warn(m.formattedMessage ?? m.message);
  const errors = messages.filter((m) => m.severity === 'error');
  if (errors.length > 0) {
    throw new CompileFailure(
      `Solidity compilation failed with ${errors.length} error(s):\n\n${errors.map((e) => e.formattedMessage ?? e.message).join('\n')}`,
    );
  }

  const artifacts = collectArtifacts(output);
  const written = writeIfChanged(render(artifacts, version, hash));
  console.log(`contracts: ${artifacts.map((a) => a.name).join(', ')} ${written ? 'written to' : 'unchanged in'} ${outFile}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof CompileFailure ? e.message : `contracts: compile step crashed: ${String((e as Error)?.stack ?? e)}`);
  process.exitCode = 1;
});
