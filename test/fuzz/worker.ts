/** The fuzz CLI's worker thread: runs one mutated input per message (see cli.ts, harness.ts). */
import { parentPort } from 'node:worker_threads';
import { runOne, seeds } from './harness.js';

const ALL = seeds();

parentPort!.on('message', async (msg: { id: number; seed: number; bytes: Uint8Array; batchSize: number }) => {
  const r = await runOne(ALL[msg.seed], Buffer.from(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength), { batchSize: msg.batchSize });
  parentPort!.postMessage({ id: msg.id, ...r });
});
