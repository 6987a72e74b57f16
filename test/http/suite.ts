/**
 * The REST API over real HTTP, whatever serves it: the same tests run against the Node server
 * and against the Worker under `wrangler dev`. Each test starts from the small sample, loaded
 * with /optimizeOne into the system its target gives it.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateSystem } from '../../bench/generator.js';
import { MAX_BODY_BYTES } from '../../src/api/index.js';
import { MAX_SERVERS, optimize, System, type MipSolver } from '../../src/core/index.js';
import { loadNodeMipSolver } from '../../src/node/load-highs.js';
import { client, smallSample } from '../client.js';
import { readState as readSystemState } from './system-state.js';

export interface HttpTarget {
  /** where it listens; read when the tests run */
  base(): URL;
  /** A path prefix that selects a system for one test: '' where the server has only one. */
  systemPrefix(): string;
}

/** What the /get verbs answer about `system`, as JSON. */
export function expectedState(system: System): unknown {
  return JSON.parse(
    JSON.stringify({
      accelerators: system.listAccelerators(),
      capacities: system.listCapacities(),
      models: system.listModelNames(),
      serviceClasses: system.listServiceClasses(),
      servers: system.listServers(),
    }),
  );
}

/** What the /get verbs answer about the system under `prefix`. */
export function readState(base: URL, prefix: string): Promise<unknown> {
  return readSystemState((path) => client(base)('GET', path), prefix);
}

export function describeHttpApi(name: string, target: HttpTarget): void {
  // generous: a loaded machine runs these beside wrangler dev and workerd
  describe(name, { timeout: 30_000 }, () => {
    const sample = smallSample();
    let mipSolver: MipSolver;
    let prefix: string;
    /** the system every test starts from: the sample after /optimizeOne */
    let seeded: System;
    const call = (method: string, path: string, body?: unknown) => client(target.base())(method, `${prefix}${path}`, body);

    beforeAll(async () => {
      mipSolver = await loadNodeMipSolver();
      seeded = System.fromSpec(sample.system);
      const spec = sample.system.optimizerData.optimizer;
      seeded.recordOptimization(spec, optimize(seeded, spec).solution);
    });

    beforeEach(async () => {
      prefix = target.systemPrefix();
      expect((await call('POST', '/optimizeOne', sample)).status).toBe(200);
    });

    it('answers /health and /openapi.json', async () => {
      expect(await call('GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok', mode: 'stateful' } });
      const { status, body } = await call('GET', '/openapi.json');
      expect(status).toBe(200);
      expect(body.openapi).toMatch(/^3\.1\./);
      expect(Object.keys(body.paths)).toContain('/optimizeOne');
    });

    it('/optimizeOne answers what core optimize does, and the /get verbs then read the system it was given', async () => {
      expect((await call('POST', '/addAccelerator', { name: 'replaced', cost: 1 })).status).toBe(200);
      const system = System.fromSpec(sample.system);
      const expected = optimize(system, sample.system.optimizerData.optimizer).solution;
      system.recordOptimization(sample.system.optimizerData.optimizer, expected);
      expect(await call('POST', '/optimizeOne', sample)).toMatchObject({ status: 200, body: expected });
      expect(await readState(target.base(), prefix)).toEqual(expectedState(system));
    });

    it('/optimize on the stored system answers what core optimize does on the same data', async () => {
      const spec = { ...sample.system.optimizerData.optimizer, saturationPolicy: 'RoundRobin' as const };
      const expected = optimize(seeded, spec).solution;
      expect(await call('POST', '/optimize', { optimizer: spec })).toMatchObject({ status: 200, body: expected });
    });

    it('milpSolver: HiGHS answers what it answers in Node', async () => {
      const spec = { ...sample.system.optimizerData.optimizer, milpSolver: true };
      const expected = optimize(seeded, spec, { mipSolver }).solution;
      const { status, body } = await call('POST', '/optimize', { optimizer: spec });
      expect(status).toBe(200);
      expect(body.summary.solver).toBe(mipSolver.name);
      expect(body.summary.status).toBe('optimal');
      expect(body.allocations).toEqual(expected.allocations);
    });

    it('passes bodies, path parameters and statuses through', async () => {
      expect((await call('POST', '/addAccelerator', { name: 'H 100', cost: 80 })).status).toBe(200);
      expect(await call('GET', '/getAccelerator/H%20100')).toMatchObject({ status: 200, body: { name: 'H 100', cost: 80 } });
      expect(await call('POST', '/addAccelerator', '{"cost": -1}')).toMatchObject({
        status: 400,
        body: { message: 'cost: must not be negative', issues: [{ path: 'cost', message: 'must not be negative' }] },
      });
      const wrong = await call('PUT', '/getServers', '{}');
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('GET');
      expect(await call('GET', '/noSuchVerb')).toMatchObject({ status: 404, body: { message: 'unknown verb /noSuchVerb; /openapi.json lists them' } });
    });

    it('a rejected request changes nothing', async () => {
      const before = await readState(target.base(), prefix);
      const refusals: [string, string, unknown, number][] = [
        ['POST', '/setServers', { servers: [{ name: 'x', currentAlloc: { numReplicas: -1 } }] }, 400],
        ['POST', '/setAccelerators', '{"accelerators": [', 400],
        ['POST', '/addServiceClassModelTargets', { name: 'NoSuchClass', modelTargets: [] }, 404],
        ['POST', '/addModelAcceleratorPerf', { name: 'no_such_model', acc: 'A100' }, 404],
        ['GET', '/removeServer/nobody', undefined, 404],
        ['POST', '/optimizeOne', { system: { serverData: { servers: [{ name: 1 }] } } }, 400],
        ['POST', '/optimize', { optimizer: { saturationPolicy: 'Sometimes' } }, 400],
      ];
      for (const [method, path, body, status] of refusals) {
        expect((await call(method, path, body)).status, `${method} ${path}`).toBe(status);
      }
      expect(await readState(target.base(), prefix)).toEqual(before);
    });

    it('answers 413 naming the limit to a body one byte over it, sent whole or streamed, changing nothing, then serves the next request', async () => {
      const before = await readState(target.base(), prefix);
      const text = JSON.stringify({ servers: [] });
      const whole = await call('POST', '/setServers', text + ' '.repeat(MAX_BODY_BYTES + 1 - text.length));
      expect(whole.status).toBe(413);
      expect(whole.body.message).toBe(`request body too large: the limit is ${MAX_BODY_BYTES} bytes`);
      const chunk = new Uint8Array(1024 * 1024).fill(32);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent > MAX_BODY_BYTES + chunk.length) controller.close();
          else controller.enqueue(chunk);
          sent += chunk.length;
        },
      });
      const streamed = await fetch(new URL(`${prefix}/setServers`, target.base()), { method: 'POST', body, duplex: 'half' } as RequestInit);
      expect(streamed.status).toBe(413);
      expect(((await streamed.json()) as { message: string }).message).toMatch(/too large/);
      expect(await readState(target.base(), prefix)).toEqual(before);
      expect((await call('POST', '/addAccelerator', { name: 'after', cost: 2 })).status).toBe(200);
    });

    // The limits agree: the largest system by servers, indented as bench/generate.ts writes it
    // (9.2 MB; 413 when the body limit was 5 MB). Three accelerators and two models instead of
    // 20 and 9: the same server records, so nearly the same bytes, and a tenth of the candidates
    // to size, so that the test stays short.
    it('optimizes the 10,000 indented servers that bench/generate.ts writes', { timeout: 120_000 }, async () => {
      const data = generateSystem({ seed: 7, servers: MAX_SERVERS, accelerators: 3, models: 2 });
      const body = `${JSON.stringify(data, null, 2)}\n`;
      expect(body.length).toBeGreaterThan(9_000_000);
      const answer = await call('POST', '/optimizeOne', body);
      expect(answer.status, answer.body.message).toBe(200);
      expect(Object.keys(answer.body.allocations)).toHaveLength(MAX_SERVERS);
    });
  });
}
