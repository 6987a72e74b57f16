/**
 * What the access tests send: one request per verb, as /openapi.json names them (`get
 * /getServer/{name}`), that the admin can make on the small sample, and that changes it when the
 * verb changes systems; what each verb needs, as the issue says it; and tokens altered the ways
 * a token must not work. `callsFor` fails on a verb with no request here, so that a new verb
 * cannot escape the tests. No Node import: workerd runs these too.
 */
import { SAMPLES } from '../../src/samples/index.js';

export interface VerbCall {
  /** `method path` as /openapi.json lists it */
  verb: string;
  method: 'GET' | 'POST';
  /** the path to send, within one system */
  path: string;
  body?: unknown;
}

const perf = (name: string, acc: string) => ({
  name,
  acc,
  accCount: 1,
  maxBatchSize: 4,
  atTokens: 512,
  decodeParms: { alpha: 20, beta: 0.4 },
  prefillParms: { gamma: 200, delta: 0.02 },
});
const server = (name: string) => ({
  name,
  class: 'Premium',
  model: 'granite_13b',
  currentAlloc: { load: { arrivalRate: 10, avgInTokens: 100, avgOutTokens: 100 } },
});

const CALLS: Readonly<Record<string, Omit<VerbCall, 'verb' | 'method'>>> = {
  'post /setAccelerators': { path: '/setAccelerators', body: { accelerators: [{ name: 'X1', type: 'X1', multiplicity: 1, cost: 5 }] } },
  'get /getAccelerators': { path: '/getAccelerators' },
  'get /getAccelerator/{name}': { path: '/getAccelerator/A100' },
  'post /addAccelerator': { path: '/addAccelerator', body: { name: 'X2', cost: 3 } },
  'get /removeAccelerator/{name}': { path: '/removeAccelerator/L4' },
  'post /setCapacities': { path: '/setCapacities', body: { count: [{ type: 'A100', count: 7 }] } },
  'get /getCapacities': { path: '/getCapacities' },
  'get /getCapacity/{type}': { path: '/getCapacity/A100' },
  'post /setCapacity': { path: '/setCapacity', body: { type: 'G2', count: 9 } },
  'get /removeCapacity/{type}': { path: '/removeCapacity/AIU2' },
  'post /setModels': { path: '/setModels', body: { models: [perf('granite_13b', 'X9')] } },
  'get /getModels': { path: '/getModels' },
  'get /getModel/{name}': { path: '/getModel/granite_13b' },
  'get /addModel/{name}': { path: '/addModel/new_model' },
  'get /removeModel/{name}': { path: '/removeModel/llama_70b' },
  'post /setServiceClasses': { path: '/setServiceClasses', body: { serviceClasses: [{ name: 'Gold', priority: 4 }] } },
  'get /getServiceClasses': { path: '/getServiceClasses' },
  'get /getServiceClass/{name}': { path: '/getServiceClass/Premium' },
  'get /addServiceClass/{name}': { path: '/addServiceClass/Silver' },
  'get /addServiceClass/{name}/{priority}': { path: '/addServiceClass/Silver/7' },
  'get /removeServiceClass/{name}': { path: '/removeServiceClass/Bronze' },
  'post /addServiceClassModelTargets': {
    path: '/addServiceClassModelTargets',
    body: { name: 'Premium', priority: 1, modelTargets: [{ model: 'granite_13b', 'slo-itl': 50, 'slo-ttft': 900 }] },
  },
  'get /getServiceClassModelTarget/{name}/{model}': { path: '/getServiceClassModelTarget/Premium/granite_13b' },
  'get /removeServiceClassModelTarget/{name}/{model}': { path: '/removeServiceClassModelTarget/Premium/llama_70b' },
  'post /setServers': { path: '/setServers', body: { servers: [server('extra-1')] } },
  'get /getServers': { path: '/getServers' },
  'get /getServer/{name}': { path: '/getServer/Premium-llama_13b' },
  'post /addServer': { path: '/addServer', body: server('extra-2') },
  'get /removeServer/{name}': { path: '/removeServer/Free-llama_13b' },
  'get /getModelAcceleratorPerf/{name}/{acc}': { path: '/getModelAcceleratorPerf/granite_13b/A100' },
  'post /addModelAcceleratorPerf': { path: '/addModelAcceleratorPerf', body: perf('granite_13b', 'X8') },
  'get /removeModelAcceleratorPerf/{name}/{acc}': { path: '/removeModelAcceleratorPerf/granite_13b/L4' },
  'post /optimize': { path: '/optimize', body: { optimizer: { saturationPolicy: 'RoundRobin' } } },
  'post /optimizeOne': { path: '/optimizeOne', body: SAMPLES.small },
  'get /applyAllocation': { path: '/applyAllocation' },
  'post /explain': { path: '/explain', body: SAMPLES.small },
  'get /explain/{server}': { path: '/explain/Premium-llama_13b' },
  'get /health': { path: '/health' },
  'get /openapi.json': { path: '/openapi.json' },
  'get /metrics': { path: '/metrics' },
  'get /exportSystem': { path: '/exportSystem' },
  'post /importSystem': { path: '/importSystem', body: { system: { acceleratorData: { accelerators: [{ name: 'only', cost: 1 }] } } } },
  'post /deleteSystem': { path: '/deleteSystem' },
  'post /issueToken': { path: '/issueToken', body: { scope: 'read' } },
  'post /revokeTokens': { path: '/revokeTokens' },
  'get /systems': { path: '/systems' },
};

/** The verbs a read token may call: the get verbs, explain, /health, /openapi.json and /metrics. */
const READ_VERBS = new Set(['post /explain', 'get /explain/{server}', 'get /health', 'get /openapi.json', 'get /metrics']);
/** The admin's verbs: a system as a whole, its tokens, the list of systems. */
const ADMIN_VERBS = new Set([
  'get /exportSystem',
  'post /importSystem',
  'post /deleteSystem',
  'post /issueToken',
  'post /revokeTokens',
  'get /systems',
]);

/** What a verb needs: read (any token), admin, or write (every other verb, GET remove…, add… and /applyAllocation included). */
export function accessOf(verb: string): 'read' | 'write' | 'admin' {
  if (verb.startsWith('get /get') || READ_VERBS.has(verb)) return 'read';
  return ADMIN_VERBS.has(verb) ? 'admin' : 'write';
}

/** `token` in a different case, with extra characters, or cut short: each must be refused. */
export function alteredTokens(token: string): string[] {
  const flipped = (i: number) => token.slice(0, i) + (token[i] === token[i].toUpperCase() ? token[i].toLowerCase() : token[i].toUpperCase()) + token.slice(i + 1);
  const letters = [...token].map((char, i) => (char.toLowerCase() !== char.toUpperCase() ? i : -1)).filter((i) => i >= 0);
  const variants = [
    token.toUpperCase(),
    token.toLowerCase(),
    flipped(letters[0]),
    flipped(letters[letters.length - 1]),
    `${token}x`,
    `${token}=`,
    `x${token}`,
    `${token.slice(0, 8)}x${token.slice(8)}`,
    token.slice(0, -1),
    token.slice(1),
    token.slice(0, token.length >> 1),
  ];
  return [...new Set(variants)].filter((variant) => variant !== token && variant !== '');
}

/** The verbs an /openapi.json document lists, as `method path`, sorted. */
export function documentedVerbs(document: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, item]) => Object.keys(item).filter((key) => key !== 'servers').map((method) => `${method} ${path}`))
    .sort();
}

/** A call for each of `verbs`; throws naming any verb this file has no call for. */
export function callsFor(verbs: readonly string[]): VerbCall[] {
  const missing = verbs.filter((verb) => CALLS[verb] === undefined);
  if (missing.length > 0) throw new Error(`test/api/verb-calls.ts has no call for ${missing.join(', ')}`);
  return verbs.map((verb) => ({ verb, method: verb.startsWith('get ') ? 'GET' : 'POST', ...CALLS[verb] }));
}
