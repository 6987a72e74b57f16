/** The lifecycle verbs in a Worker without INFERNO_TOKEN: everyone is the admin, and there are no tokens to issue. */
import { describe, expect, it } from 'vitest';
import { call, smallSample } from './client.js';

// requests with writes, each reported to the registry: slow on a loaded 2-core machine
describe('without INFERNO_TOKEN', { timeout: 60_000 }, () => {
  it('lists, exports, imports and deletes systems for anyone', async () => {
    expect((await call('POST', '/systems/open-a/importSystem', smallSample())).status).toBe(200);
    const { status, body } = await call('GET', '/systems');
    expect(status).toBe(200);
    expect(body.systems).toContainEqual({ id: 'open-a', servers: 15, lastChange: expect.any(String) });
    expect((await call('GET', '/systems/open-a/exportSystem')).body.system.serverData.servers).toHaveLength(15);
    expect(await call('POST', '/systems/open-a/deleteSystem')).toMatchObject({ status: 200, body: { systemId: 'open-a', version: 2 } });
    expect((await call('GET', '/systems')).body.systems.map((system: { id: string }) => system.id)).not.toContain('open-a');
  });

  it('refuses to issue a token, with a 409 that says why; revoking still raises the version', async () => {
    expect(await call('POST', '/systems/open-b/issueToken', { scope: 'read' })).toMatchObject({
      status: 409,
      body: { message: 'tokens are signed with INFERNO_TOKEN, which this Worker does not have: every request may do everything' },
    });
    expect(await call('POST', '/systems/open-b/revokeTokens')).toMatchObject({ status: 200, body: { systemId: 'open-b', version: 2 } });
  });
});
