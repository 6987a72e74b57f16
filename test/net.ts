/**
 * A TCP port on loopback for a server a test starts when that server cannot be given port 0
 * (and report the port it got). Prefer port 0 wherever the server reports its address.
 *
 * A port found by listening on port 0 comes from the kernel's ephemeral range, where every
 * outgoing connection and every other port-0 listener also takes its port: between the probe and
 * the server's own bind someone else may take it (it happened under load). So the port comes from
 * below that range (32768 and up on Linux), from a block of this test worker's own
 * (VITEST_POOL_ID), and is probed before use for what else may run on the machine.
 */
import { createServer } from 'node:net';

const FIRST_PORT = 20_000;
/** ports of one test worker's block */
const BLOCK = 500;
const BLOCKS = 24;
let next = 0;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  const pool = Number(process.env.VITEST_POOL_ID ?? 0) % BLOCKS;
  // a random start within the block: a worker process that runs several files reuses its id
  if (next === 0) next = Math.floor(Math.random() * BLOCK);
  for (let tried = 0; tried < BLOCK; tried++) {
    const port = FIRST_PORT + pool * BLOCK + (next++ % BLOCK);
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port in ${FIRST_PORT + pool * BLOCK}..${FIRST_PORT + (pool + 1) * BLOCK - 1}`);
}
