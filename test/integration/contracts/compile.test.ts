import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Interface } from 'ethers';
import { loadArtifacts } from './chain';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'wardledger-compile-'));

function compile(src: string, out: string) {
  const run = spawnSync(join(repoRoot, 'node_modules', '.bin', 'tsx'), ['contracts/compile.ts', '--src', src, '--out', out], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('contracts/compile.ts', () => {
  it('writes deterministic artifacts, skips unchanged sources, and never rewrites an identical file', () => {
    const src = join(work, 'ok');
    const out = join(src, 'generated', 'artifacts.ts');
    rmSync(src, { recursive: true, force: true });
    spawnSync('mkdir', ['-p', src]);
    writeFileSync(
      join(src, 'Counter.sol'),
      '// SPDX-License-Identifier: UNLICENSED\npragma solidity 0.8.28;\ninterface ICounter { function bump() external; }\n' +
        'library Lib { function one() internal pure returns (uint256) { return 1; } }\n' +
        'contract Counter is ICounter { uint256 public n; function bump() external { n += Lib.one(); } }\n',
    );

    const first = compile(src, out);
    expect(first.status, first.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^export const Counter = \{$/m);
    expect(text).not.toMatch(/export const (ICounter|Lib) /); // interfaces and libraries are not deployable
    expect(text).toMatch(/^export const evmVersion = 'paris';$/m);
    const mtime = statSync(out).mtimeMs;

    const second = compile(src, out);
    expect(second.stdout).toContain('up to date');
    expect(statSync(out).mtimeMs).toBe(mtime);

    // Forget the input hash: solc runs again and produces the very same file, which is not rewritten.
    writeFileSync(out, text.replace(/^export const sourceHash = .*$/m, "export const sourceHash = 'stale';"));
    const third = compile(src, out);
    expect(third.status, third.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(text);
  });

  it("fails with solc's formatted error and a non-zero exit on a compile error", () => {
    const src = join(work, 'broken');
    spawnSync('mkdir', ['-p', src]);
    writeFileSync(join(src, 'Broken.sol'), 'pragma solidity 0.8.28;\ncontract Broken { function f() external { undefinedThing(); } }\n');
    const run = compile(src, join(src, 'out.ts'));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Solidity compilation failed');
    expect(run.stderr).toMatch(/DeclarationError: Undeclared identifier[\s\S]*Broken\.sol:2/);
  });
});

describe('ward artifacts', () => {
  it('are built by the pinned compiler for paris', async () => {
    const a = await loadArtifacts();
    expect(a.solcVersion.startsWith('0.8.28+')).toBe(true);
    expect(a.evmVersion).toBe('paris');
    expect(Object.keys(a.artifacts).sort()).toEqual(['AccessLedger', 'ConsortiumDirectory', 'ConsortiumLedger', 'RecordAnchors', 'WardRegistry']);
    for (const c of Object.values(a.artifacts)) {
      expect(c.bytecode).toMatch(/^0x[0-9a-f]{200,}$/);
      expect(c.deployedBytecode).toMatch(/^0x[0-9a-f]{200,}$/);
    }
  });

  // The lead codes against these exact signatures: any change must be deliberate.
  it('keep the agreed ABI', async () => {
    const a = await loadArtifacts();
    const signatures = (abi: ConstructorParameters<typeof Interface>[0]) => {
      const iface = new Interface(abi);
      return [
        `constructor(${iface.deploy.inputs.map((p) => p.type).join(',')})`,
        ...iface.fragments.filter((f) => f.type !== 'constructor').map((f) => `${f.type} ${f.format('sighash')}`),
      ];
    };
    expect(signatures(a.WardRegistry.abi)).toEqual(
      expect.arrayContaining([
        'constructor(bytes,bytes32)',
        'function requestRegistration(uint8,bytes,bytes32)',
        'function approve(address)',
        'function reject(address)',
        'function revoke(address)',
        'function member(address)',
        'function hasRole(address,uint8)',
        'function memberCount()',
        'function memberAt(uint256)',
        'event RegistrationRequested(address,uint8)',
        'event MemberApproved(address,uint8,address)',
        'event MemberRejected(address,uint8,address)',
        'event MemberRevoked(address,uint8,address)',
        'error NotITAdmin(address)',
        'error NotPending(address)',
        'error PublicKeyMismatch()',
        'error InvalidRole()',
        'error AlreadyRegistered(address)',
        'error CannotRevokeSelf()',
      ]),
    );
    expect(new Interface(a.WardRegistry.abi).getFunction('member')!.outputs[0].format('full')).toBe(
      '(uint8 role, uint8 status, bytes publicKey, bytes32 profileCommitment, uint64 requestedAt, uint64 decidedAt, address decidedBy)',
    );
    expect(signatures(a.RecordAnchors.abi)).toEqual(
      expect.arrayContaining([
        'constructor(address)',
        'function anchorBatch(bytes32,uint32)',
        'function anchorOf(bytes32)',
        'function batchCount()',
        'function verifyLeaf(bytes32,bytes32[],bytes32)',
        'event BatchAnchored(uint256,bytes32,address,uint32)',
        'error NotAuthorised(address)',
        'error EmptyBatch()',
        'error AlreadyAnchored(bytes32)',
      ]),
    );
    expect(new Interface(a.RecordAnchors.abi).getFunction('anchorOf')!.outputs[0].format('full')).toBe(
      '(uint256 batchId, address submitter, uint64 timestamp, uint64 blockNumber, uint32 leafCount)',
    );
    expect(signatures(a.AccessLedger.abi)).toEqual(
      expect.arrayContaining([
        'constructor(address)',
        'function grant(address,bytes32)',
        'function revoke(address,bytes32)',
        'function isGranted(address,address,bytes32)',
        'function recordAccess(bytes32,bytes32,uint8,bytes32,bool)',
        'function recordAccessBatch(bytes32[],bytes32[],uint8[],bytes32[],bool[])',
        'function admit(bytes32,address)',
        'function assignDoctor(bytes32,address)',
        'function discharge(bytes32)',
        'function careOf(bytes32)',
        'event CareChanged(bytes32,address,uint8,address,uint64)',
        'error CareChangeNotAllowed(address)',
        'error NotDoctor(address)',
        'error NotAdmitted(bytes32)',
        'error AlreadyAdmitted(bytes32)',
        'event AccessGranted(address,address,bytes32)',
        'event AccessRevoked(address,address,bytes32)',
        'event AccessAudited(bytes32,address,uint8,bytes32,bytes32,bool,uint64)',
        'error NotPatient(address)',
        'error UnknownGrantee(address)',
        'error NotMember(address)',
        'error BreakGlassNotAllowed(address)',
        'error ReasonRequired()',
        'error LengthMismatch()',
      ]),
    );
  });
});
