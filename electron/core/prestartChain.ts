/**
 * Imported first by a shell (bin/wardledger.mjs for `serve`, the desktop's main entry) so that the
 * ward chain's thread starts, and ganache loads, while the rest of the app's modules load.
 * It opens nothing: the core hands it the chain database after it holds the data directory.
 */
import { prestartChainWorker } from './chain/chainWorkerClient';

prestartChainWorker();
