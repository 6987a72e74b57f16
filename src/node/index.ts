/**
 * The package's Node server (`inferno-edge/node`): the REST API of `inferno-edge/api` on
 * node:http, a store that keeps the system in a file, and HiGHS loaded for Node. `inferno-edge
 * serve` is these put together.
 */
export { createNodeServer, listen, type NodeServerOptions } from './http-server.js';
export { FileSystemStore, StateFileError } from './file-store.js';
export { loadNodeMipSolver } from './load-highs.js';
