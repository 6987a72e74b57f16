// The REST API in your own Node process: `PORT=8080 node server.mjs`, state in memory.
import { createApi, MemorySystemStore } from 'inferno-edge/api';
import { createNodeServer, listen, loadNodeMipSolver } from 'inferno-edge/node';

const api = createApi({ store: new MemorySystemStore(), optimizeOptions: { mipSolver: await loadNodeMipSolver() } });
const url = await listen(createNodeServer({ api }), '127.0.0.1', Number(process.env.PORT ?? 8080));
console.log(`listening on ${url}`);
