/**
 * The ward care team's key: one secp256k1 key pair whose public half is a reader of every
 * patient's records (and every profile), and whose private half is sealed for each approved
 * doctor and nurse — so a record is wrapped once for the whole team, not once per clinician.
 *
 * Custody: the IT admins hold it too, because they are the ones who hand it to a newly approved
 * clinician. The core refuses every record operation to the IT admin role and audits every read;
 * that is a policy control, stated here rather than hidden.
 */
import { randomBytes } from 'node:crypto';
import { WardError } from '../model/errors';
import { addRecipients, openEnvelope, publicKeyOf, sealEnvelope, type Envelope } from '../crypto/envelope';

const CONTEXT = 'wardledger/care-team-key/v1';

export interface SealedTeamKey {
  publicKey: string;
  sealed: Envelope;
}

export function createTeamKey(holderPublicKeys: string[]): SealedTeamKey {
  const privateKey = '0x' + randomBytes(32).toString('hex');
  const sealed = sealEnvelope(Buffer.from(privateKey.slice(2), 'hex'), holderPublicKeys, CONTEXT);
  return { publicKey: publicKeyOf(privateKey), sealed };
}

/** The team's private key, for a holder. */
export function openTeamKey(team: SealedTeamKey, holderPrivateKey: string): string {
  try {
    return '0x' + Buffer.from(openEnvelope(team.sealed, holderPrivateKey, CONTEXT)).toString('hex');
  } catch {
    throw new WardError('FORBIDDEN', 'This account has not been given the care team key yet. Ask the ward\'s IT admin to approve it again.');
  }
}

export function isTeamKeyHolder(team: SealedTeamKey, publicKey: string): boolean {
  return team.sealed.recipients.some((r) => r.recipient.toLowerCase() === publicKey.toLowerCase());
}

/** Give the team key to more holders (a newly approved clinician or IT admin). */
export function shareTeamKey(team: SealedTeamKey, holderPrivateKey: string, newHolderPublicKeys: string[]): SealedTeamKey {
  return { ...team, sealed: addRecipients(team.sealed, holderPrivateKey, newHolderPublicKeys, CONTEXT) };
}
