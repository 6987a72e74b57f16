/** System tokens: what they carry, that they verify exactly as issued, and nothing else does. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_VERSION, signSystemToken, verifySystemToken } from '../../src/api/index.js';
import { alteredTokens } from './access-cases.js';

const SECRET = 'the operator\'s s3cret, ünïcode too';

describe('system tokens', () => {
  it('carry the system, scope and version in the clear and an HMAC-SHA256 of them keyed with the secret', async () => {
    const token = await signSystemToken(SECRET, { systemId: 'team-a', scope: 'read', version: 3 });
    const mac = createHmac('sha256', SECRET).update('ie1~team-a~read~3').digest('base64url');
    expect(token).toBe(`ie1~team-a~read~3~${mac}`);
    expect(await verifySystemToken(SECRET, token)).toEqual({ systemId: 'team-a', scope: 'read', version: 3 });
  });

  it('are the same bytes for the same claims, and differ for any other claim or secret', async () => {
    const claims = { systemId: 'a.b_c-9', scope: 'write', version: 12 } as const;
    const token = await signSystemToken(SECRET, claims);
    expect(await signSystemToken(SECRET, { ...claims })).toBe(token);
    const others = await Promise.all([
      signSystemToken(SECRET, { ...claims, systemId: 'a.b_c-8' }),
      signSystemToken(SECRET, { ...claims, scope: 'read' }),
      signSystemToken(SECRET, { ...claims, version: 13 }),
      signSystemToken(`${SECRET}x`, claims),
    ]);
    expect(new Set([token, ...others]).size).toBe(5);
  });

  it('refuse a token in a different case, with extra characters, or cut short', async () => {
    const token = await signSystemToken(SECRET, { systemId: 'team-a', scope: 'write', version: 1 });
    const variants = alteredTokens(token);
    expect(variants.length).toBeGreaterThanOrEqual(10);
    for (const variant of variants) expect(await verifySystemToken(SECRET, variant), variant).toBeUndefined();
  });

  it('refuse claims changed under the same MAC, another secret, and near spellings of the claims', async () => {
    const token = await signSystemToken(SECRET, { systemId: 'team-a', scope: 'read', version: 2 });
    const mac = token.split('~')[4];
    for (const forged of [
      `ie1~team-b~read~2~${mac}`,
      `ie1~team-a~write~2~${mac}`,
      `ie1~team-a~read~3~${mac}`,
      `ie1~team-a~read~02~${mac}`,
      `ie1~team-a~READ~2~${mac}`,
      `ie2~team-a~read~2~${mac}`,
      `ie1~team-a~read~2~${mac}~`,
      `ie1~team-a~~read~2~${mac}`,
      `ie1~team-a~read~2~${mac.slice(0, -1)}${mac.at(-1) === 'A' ? 'B' : 'A'}`,
      '',
      '~~~~',
    ]) {
      expect(await verifySystemToken(SECRET, forged), forged).toBeUndefined();
    }
    expect(await verifySystemToken('another secret', token)).toBeUndefined();
    expect(await verifySystemToken('', token)).toBeUndefined();
  });

  it('cannot be issued for claims no token can carry, nor without a secret', async () => {
    await expect(signSystemToken('', { systemId: 'a', scope: 'read', version: 1 })).rejects.toThrow(/secret/);
    await expect(signSystemToken(SECRET, { systemId: 'a~b', scope: 'read', version: 1 })).rejects.toThrow(/system id/);
    await expect(signSystemToken(SECRET, { systemId: 'a', scope: 'admin' as 'read', version: 1 })).rejects.toThrow(/scope/);
    for (const version of [0, 1.5, MAX_TOKEN_VERSION + 1, Number.NaN]) {
      await expect(signSystemToken(SECRET, { systemId: 'a', scope: 'read', version }), String(version)).rejects.toThrow(/version/);
    }
    const highest = await signSystemToken(SECRET, { systemId: 'a', scope: 'read', version: MAX_TOKEN_VERSION });
    expect(await verifySystemToken(SECRET, highest)).toMatchObject({ version: MAX_TOKEN_VERSION });
  });
});
