import { describe, it } from 'vitest';
import { createApi, MemorySystemStore } from '../../src/api/index.js';
import { expectRoutesAnswerTheirSchemas } from '../api/route-shapes.js';
import { call } from './client.js';

describe('in workerd', () => {
  it('every route of a system answers the shape of its response schema', { timeout: 60_000 }, async () => {
    // the table each system's Durable Object serves
    const { routes } = createApi({ store: new MemorySystemStore() });
    await expectRoutesAnswerTheirSchemas(routes, (method, path, body) => call(method, `/systems/route-shapes${path}`, body));
  });
});
