/**
 * Property tests at the router: malformed and extreme requests (wrong types, huge numbers, deep
 * nesting, huge arrays, odd unicode and percent-encoding in paths, invalid JSON, empty bodies,
 * wrong content types) get a sound JSON answer, never a 5xx, in bounded time, and a refusal
 * leaves the stored system exactly as it was.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Api } from '../../src/api/index.js';
import { sampleApi, snapshot } from './client.js';
import { expectSoundAnswer, extremeRequests, malformedRequest, withinBound, type MalformedRequest } from './malformed-requests.js';

async function send(api: Api, request: MalformedRequest) {
  const { method, path, headers, body } = request;
  const response = await withinBound(`${method} ${path.slice(0, 200)}`, api.fetch(new Request(`http://inferno.test${path}`, { method, headers, body })));
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe('malformed requests at the router', () => {
  it('sequences of them: sound answers in bounded time, refusals change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(malformedRequest, { minLength: 1, maxLength: 3 }), async (requests) => {
        const { api, store } = sampleApi();
        for (const request of requests) {
          const before = await snapshot(store);
          const { status, type, text } = await send(api, request);
          expectSoundAnswer(request, status, type, text);
          if (status >= 400) expect(await snapshot(store), `${request.method} ${request.path}`).toEqual(before);
        }
      }),
      { numRuns: 1000 },
    );
  }, 60_000);

  it.each(extremeRequests.map((request) => [request.path, request.body?.slice(0, 40), request] as const))(
    'POST %s of %s…: refused or answered soundly, in bounded time',
    async (_path, _start, request) => {
      const { api, store } = sampleApi();
      const before = await snapshot(store);
      const { status, type, text } = await send(api, request);
      expectSoundAnswer(request, status, type, text);
      if (status >= 400) expect(await snapshot(store)).toEqual(before);
    },
  );
});
