/**
 * What the command line may use of the consortium layer (`wardledger consortium …`): deploying
 * and administering the consortium contracts, a ward's card, and the client's node errors. The
 * shells import the core only through the facade, so this file is that door.
 */
export { addPerson, addWard, consortiumStatus, deployConsortium, removePerson, removeWard } from './consortium/admin';
export { ConsortiumClient } from './consortium/client';
export { NodeRefused, NodeUnreachable, explainNodeError } from './consortium/rpc';
export { checkedWardCard, loadSyncAccount, wardCardFromDataDir, type WardCard } from './consortium/syncAccount';
