/**
 * Malformed and extreme requests for the property tests, and what every answer to them must
 * be: JSON, not a 5xx, with finite numbers and no null, in bounded time. Shared by the router
 * tests (many runs) and the Node server tests over HTTP (fewer).
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { ExplainResponseSchema, FLOAT32_MAX, MAX_BATCH_SIZE, MAX_SERVERS, ServerExplanationSchema } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';

export interface MalformedRequest {
  method: string;
  /** percent-encoded as sent */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Each answer must arrive within this: generous, a bound on hangs, not a measure of speed. */
export const ANSWER_BOUND_MS = 10_000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const sample = SAMPLES.small as { system: Record<string, Record<string, Json[]>> };
const { acceleratorData, modelData, serviceClassData, serverData, capacityData } = sample.system;
const first = (data: Record<string, Json[]>): Json => Object.values(data)[0][0];

/** A valid body of every POST verb (from the small sample), for mutations to start from. */
const POST_BODIES: Readonly<Record<string, Json>> = {
  '/setAccelerators': acceleratorData,
  '/addAccelerator': first(acceleratorData),
  '/setCapacities': capacityData,
  '/setCapacity': first(capacityData),
  '/setModels': modelData,
  '/addModelAcceleratorPerf': first(modelData),
  '/setServiceClasses': serviceClassData,
  '/addServiceClassModelTargets': first(serviceClassData),
  '/setServers': serverData,
  '/addServer': first(serverData),
  '/optimize': { optimizer: { saturationPolicy: 'RoundRobin', unlimited: false } },
  '/optimizeOne': sample as unknown as Json,
  '/explain': { system: sample.system as unknown as Json, scaleLoad: 2, extraCapacity: { G2: 8 } },
};

/** GET verbs, their parameters as :names; examples name entities of the sample. */
const GET_PATHS = [
  '/getAccelerators', '/getAccelerator/:name', '/removeAccelerator/:name',
  '/getCapacities', '/getCapacity/:type', '/removeCapacity/:type',
  '/getModels', '/getModel/:name', '/addModel/:name', '/removeModel/:name',
  '/getServiceClasses', '/getServiceClass/:name', '/addServiceClass/:name', '/addServiceClass/:name/:priority',
  '/removeServiceClass/:name', '/getServiceClassModelTarget/:name/:model', '/removeServiceClassModelTarget/:name/:model',
  '/getServers', '/getServer/:name', '/removeServer/:name',
  '/getModelAcceleratorPerf/:name/:acc', '/removeModelAcceleratorPerf/:name/:acc',
  '/applyAllocation', '/explain/:server', '/health', '/openapi.json',
];

/** Odd JSON values: wrong types, extremes of range and precision, empty and nested containers. */
const oddValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null, true, false, '', '60', 'NaN', 'Infinity', '-1', -1, -0, 0.5, 1e-320, 2 ** 31, 2 ** 53, 2 ** 53 + 2, 1e21,
    1e308, -1e308, FLOAT32_MAX, 3.5e38, MAX_BATCH_SIZE + 1, [], {}, [1, 2], { a: { b: [null] } },
  ),
  fc.double(),
  fc.integer(),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

function paths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, i) => paths(item, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) paths(item, [...prefix, key], out);
  return out;
}

/** `value` with what is at `path` replaced by `by`; unchanged when an earlier edit removed the path. */
function replaced(value: Json, path: readonly (string | number)[], by: Json): Json {
  if (path.length === 0) return by;
  if (value === null || typeof value !== 'object') return value;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((item, i) => (i === head ? replaced(item, rest, by) : item));
  const object = value as Record<string, Json>;
  return { ...object, [head]: replaced(object[head], rest, by) };
}

/** `template` with some of its values (any depth, the whole included) replaced by odd ones. */
function mutated(template: Json): fc.Arbitrary<Json> {
  const all = paths(template);
  return fc.array(fc.tuple(fc.nat(all.length - 1), oddValue), { minLength: 1, maxLength: 3 }).map((edits) =>
    edits.reduce((value, [at, by]) => replaced(value, all[at], by), template),
  );
}

/** JSON texts JSON.stringify cannot make: infinities, bad syntax, wrong encodings, nothing. */
const oddText = fc.constantFrom(
  '', ' ', 'null', '0', '"text"', '[]', '{', '{"servers": [', '{"name": "a",}', "{'name': 'a'}", '{"cost": 1e999}',
  '{"count": [{"type": "G2", "count": -1e400}]}', '{"name": "\\ud800"}', 'NaN', '\u0000', '\ufeff{}', '{"a": 1}{"b": 2}',
);

/** Large or deep bodies, made once: each is refused or answered, never a crash. */
const EXTREME_BODIES: readonly string[] = [
  '['.repeat(100_000) + ']'.repeat(100_000),
  `{"servers": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
  `{"name": ${'{"name": '.repeat(20_000)}"x"${'}'.repeat(20_000)}}`,
  JSON.stringify({ servers: Array.from({ length: MAX_SERVERS + 1 }, (_, i) => ({ name: `s${i}` })) }),
  JSON.stringify({ accelerators: Array.from({ length: 200_000 }, () => 1) }),
  JSON.stringify({ name: 'x'.repeat(1_000_000), type: 'y', cost: 1 }),
];

const body: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 10, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: oddText },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

const contentType = fc.constantFrom(
  undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
  'application/json; charset=latin1', 'image/png', ';;;',
);

/** One path segment, as sent: encoded text of any script, or raw odd percent-encoding. */
const segment = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).map(encodeURIComponent),
  fc.constantFrom(
    'A100', 'granite_13b', 'Premium', 'Premium-granite_13b', 'G2', '%', '%zz', '%C3', '%C3%28', '%ED%A0%80', '%00', '%2F', '..',
    '%2E%2E', '%F0%9F%9A%80', 'é', '🚀', '%25', '+', 'a%20b', '-1', '1e3', '007', '99999999999999999999', 'x'.repeat(2000),
  ),
);

function filled(template: string, segments: readonly string[]): string {
  let i = 0;
  return template.replace(/:\w+/g, () => segments[i++ % segments.length]);
}

const getRequest = fc
  .tuple(fc.constantFrom(...GET_PATHS), fc.array(segment, { minLength: 1, maxLength: 3 }))
  .map(([template, segments]): MalformedRequest => ({ method: 'GET', path: filled(template, segments), headers: {} }));

const postRequest = fc
  .constantFrom(...Object.keys(POST_BODIES))
  .chain((path) => fc.record({ path: fc.constant(path), json: mutated(POST_BODIES[path]), raw: body, type: contentType }))
  .map(({ path, json, raw, type }): MalformedRequest => ({
    method: 'POST',
    path,
    headers: type === undefined ? {} : { 'content-type': type },
    body: raw ?? JSON.stringify(json),
  }));

/** A verb with the wrong method, an unknown verb, or extra path segments. */
const strayRequest = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
    path: fc.oneof(
      fc.constantFrom(...GET_PATHS, ...Object.keys(POST_BODIES)).chain((template) =>
        fc.tuple(segment, fc.boolean()).map(([s, extra]) => filled(template, [s]) + (extra ? `/${s}` : '')),
      ),
      segment.map((s) => `/${s}`),
      fc.constant('/'),
    ),
    body,
  })
  .map(({ method, path, body: text }): MalformedRequest => ({ method, path, headers: {}, body: method === 'GET' ? undefined : text }));

export const malformedRequest: fc.Arbitrary<MalformedRequest> = fc.oneof(
  { weight: 5, arbitrary: postRequest },
  { weight: 3, arbitrary: getRequest },
  { weight: 2, arbitrary: strayRequest },
);

export const extremeRequests: readonly MalformedRequest[] = EXTREME_BODIES.flatMap((text) =>
  ['/setServers', '/addAccelerator', '/setAccelerators', '/optimizeOne'].map((path) => ({ method: 'POST', path, headers: {}, body: text })),
);

/** `answer`, or a failure once ANSWER_BOUND_MS have passed. */
export async function withinBound<T>(what: string, answer: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ANSWER_BOUND_MS} ms`)), ANSWER_BOUND_MS);
  });
  try {
    return await Promise.race([answer, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** Fails on a number that is not finite, or on a null unless `nulls` (then a schema says where they may be), naming where. */
function expectNumbersFinite(value: unknown, where: string, nulls: boolean): void {
  if (value === null) {
    if (!nulls) expect.fail(`${where} is null (a number that was NaN or infinite?)`);
  } else if (typeof value === 'number') expect(Number.isFinite(value), where).toBe(true);
  else if (Array.isArray(value)) value.forEach((item, i) => expectNumbersFinite(item, `${where}.${i}`, nulls));
  else if (typeof value === 'object') for (const [key, item] of Object.entries(value)) expectNumbersFinite(item, `${where}.${key}`, nulls);
}

/** The schema of answers with nullable parts (the explanations), which numbers must match; none for the others. */
function nullableAnswerSchema({ method, path }: MalformedRequest) {
  if (method === 'POST' && path === '/explain') return ExplainResponseSchema;
  if (method === 'GET' && path.startsWith('/explain/')) return ServerExplanationSchema;
  return undefined;
}

/** What every answer to a malformed request must be. */
export function expectSoundAnswer(request: MalformedRequest, status: number, type: string | null, text: string): void {
  const what = `${request.method} ${request.path.slice(0, 200)}`;
  expect(status, what).toBeLessThan(500);
  expect([200, 400, 404, 405, 413, 422], what).toContain(status);
  expect(type, what).toMatch(/^application\/json/);
  let json: unknown;
  expect(() => (json = JSON.parse(text)), `${what}: the answer is JSON`).not.toThrow();
  const schema = status === 200 ? nullableAnswerSchema(request) : undefined;
  expectNumbersFinite(json, 'answer', schema !== undefined);
  if (schema) expect(schema.safeParse(json).error, what).toBeUndefined();
  if (status >= 400) {
    expect(json, what).toEqual({ message: expect.any(String), issues: expect.any(Array) });
    for (const issue of (json as { issues: unknown[] }).issues) expect(issue, what).toEqual({ path: expect.any(String), message: expect.any(String) });
  }
}
