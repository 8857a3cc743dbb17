/**
 * A stopped ward's own chain served over JSON-RPC on loopback, as a ward's IT admin would expose
 * it to an auditor (or a consortium node would serve it): the real ganache database of the data
 * directory behind a plain HTTP JSON-RPC endpoint, for `wardledger verify --rpc`.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { WardNode } from '../../electron/core/chain/wardNode';

export interface WardChainRpc {
  url: string;
  node: WardNode;
  stop(): Promise<void>;
}

export async function serveWardChain(dataDir: string): Promise<WardChainRpc> {
  const node = new WardNode(join(dataDir, 'chain'));
  await node.start();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      void (async () => {
        const call = JSON.parse(body) as { id: number; method: string; params?: unknown[] };
        const calls = Array.isArray(call) ? (call as (typeof call)[]) : [call];
        const answers = await Promise.all(
          calls.map(async (c) => {
            try {
              return { jsonrpc: '2.0', id: c.id, result: await node.provider.send(c.method, c.params ?? []) };
            } catch (e) {
              return { jsonrpc: '2.0', id: c.id, error: { code: -32000, message: (e as Error).message } };
            }
          }),
        );
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(Array.isArray(call) ? answers : answers[0]));
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    node,
    async stop() {
      await new Promise<void>((r) => server.close(() => r()));
      await node.stop();
    },
  };
}
