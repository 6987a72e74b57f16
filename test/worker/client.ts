/** Requests to the Worker inside workerd, as a client would send them (test/client.ts). */
import { exports } from 'cloudflare:workers';
import { client } from '../client.js';
import { readState as readSystemState } from '../http/system-state.js';

export { smallSample } from '../client.js';

export const call = client('http://inferno.test', (request) => exports.default.fetch(request));

/** What the /get verbs answer about the system under `prefix`. */
export function readState(prefix: string): Promise<unknown> {
  return readSystemState((path) => call('GET', path), prefix);
}
