/** Who is acting in a call: profile, unlocked key and (for clinicians) the care team key. */
import type { ethers } from 'ethers';
import type { Role } from '../model/people';

export interface Actor {
  address: string;
  name: string;
  role: Role;
  wallet: ethers.Wallet;
  teamKey: string | null;
}

/** The private keys an actor opens key scopes and profiles with: the care team key first. */
export function readerKeys(actor: Actor): Array<string | null> {
  return [actor.teamKey, actor.wallet.privateKey];
}
