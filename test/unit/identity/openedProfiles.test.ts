/**
 * Sealed profiles opened once are kept opened (identity/directory.ts: a patient's history reads
 * the patient's name for every page, and each open costs an ECDH unwrap), but never in place of
 * what is on disk now: a profile file edited or sealed again is opened and checked against the
 * commitment on the chain again, so an edit is caught on the next read, as without the cache.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ethers } from 'ethers';
import { Directory, type StoredProfile } from '../../../electron/core/identity/directory';
import { removeDir, tempDir } from '../../support/tempCore';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

function ward() {
  const dir = tempDir('wardledger-profiles-');
  dirs.push(dir);
  const directory = new Directory(dir, ethers.hexlify(ethers.randomBytes(32)));
  const patient = ethers.Wallet.createRandom();
  const team = ethers.Wallet.createRandom();
  const profile: StoredProfile = { name: 'Pat Example', age: 61, role: 'patient', dob: '1964-03-02', hospitalNumber: 'RX1 2345678' };
  const commitment = directory.sealProfile(patient.address, profile, [patient.signingKey.publicKey, team.signingKey.publicKey]);
  const path = join(dir, 'profiles', `${patient.address.toLowerCase()}.json`);
  return { dir, directory, patient, team, profile, commitment, path };
}

describe('opened profiles', () => {
  it('opens a profile again from the cache with the same content, for each reader who can read it', () => {
    const w = ward();
    for (const reader of [w.team, w.patient]) {
      expect(w.directory.openProfile(w.patient.address, reader.privateKey, w.commitment)).toEqual(w.profile);
      const again = w.directory.openProfile(w.patient.address, reader.privateKey, w.commitment);
      expect(again).toEqual(w.profile);
      again.name = 'changed by a caller';
      expect(w.directory.openProfile(w.patient.address, reader.privateKey, w.commitment).name).toBe('Pat Example');
    }
  });

  it('a profile file sealed again on disk after it was opened is checked against the chain again: refused as not matching', () => {
    const w = ward();
    expect(w.directory.openProfile(w.patient.address, w.team.privateKey, w.commitment).name).toBe('Pat Example');
    // Someone with write access to the data directory seals another name for the same readers
    // (a valid envelope: only the commitment on the chain can tell).
    const other = new Directory(w.dir, ethers.hexlify(ethers.randomBytes(32)));
    other.sealProfile(w.patient.address, { ...w.profile, name: 'Someone Else' }, [w.patient.signingKey.publicKey, w.team.signingKey.publicKey]);
    expect(() => w.directory.openProfile(w.patient.address, w.team.privateKey, w.commitment)).toThrow(/does not match its commitment on the ward chain/);
  });

  it('a profile file whose envelope was edited after it was opened is opened again and refused', () => {
    const w = ward();
    w.directory.openProfile(w.patient.address, w.team.privateKey, w.commitment);
    const file = JSON.parse(readFileSync(w.path, 'utf8'));
    const ct: string = file.envelope.ct;
    file.envelope.ct = ct.slice(0, 10) + (ct[10] === 'a' ? 'b' : 'a') + ct.slice(11);
    writeFileSync(w.path, JSON.stringify(file));
    expect(() => w.directory.openProfile(w.patient.address, w.team.privateKey, w.commitment)).toThrow();
  });

  it('a reader who cannot open the profile is refused even after another reader opened it', () => {
    const w = ward();
    w.directory.openProfile(w.patient.address, w.team.privateKey, w.commitment);
    expect(() => w.directory.openProfile(w.patient.address, ethers.Wallet.createRandom().privateKey, w.commitment)).toThrow();
  });
});
