import { createHash, randomBytes } from 'node:crypto';

import { afterEach, describe, expect, it } from 'vitest';

import { Emulator } from '../../src/emulator/index.js';

const APP = { appId: 'cli_0a0b0c0d0e0f1011', appSecret: 'oauth-test-secret' };
const USER = 'ou_oauthuser00000000000000000001';
const OTHER = 'ou_oauthuser00000000000000000002';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

let emu: Emulator;
afterEach(async () => {
  await emu?.stop();
});

async function start(): Promise<Emulator> {
  emu = await Emulator.start({ apps: [APP], oauth: { deviceIntervalSeconds: 0.05 } });
  return emu;
}

async function post(path: string, body: Record<string, string>, form = false,
  headers: Record<string, string> = {}) {
  const res = await fetch(`${emu.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      ...headers },
    body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const client = { client_id: APP.appId, client_secret: APP.appSecret };

async function deviceAuthorization(scope = 'offline_access contact:user.base:readonly') {
  const basic = Buffer.from(`${APP.appId}:${APP.appSecret}`).toString('base64');
  const res = await post('/oauth/v1/device_authorization', { client_id: APP.appId, scope }, true,
    { authorization: `Basic ${basic}` });
  return res.body as { device_code: string; user_code: string; verification_uri_complete: string;
    interval: number; expires_in: number };
}

const pollToken = (deviceCode: string) =>
  post('/open-apis/authen/v2/oauth/token',
    { grant_type: DEVICE_GRANT, device_code: deviceCode, ...client }, true);

async function userInfo(accessToken: string) {
  const res = await fetch(`${emu.baseUrl}/open-apis/authen/v1/user_info`,
    { headers: { authorization: `Bearer ${accessToken}` } });
  return (await res.json()) as { code: number; data?: { open_id: string } };
}

describe('emulated device authorization grant', () => {
  it('answers authorization_pending until the user consents, then issues tokens once', async () => {
    await start();
    const grant = await deviceAuthorization();
    expect(grant).toMatchObject({ interval: 0.05, expires_in: 240 });

    expect((await pollToken(grant.device_code)).body.error).toBe('authorization_pending');
    emu.oauth.openVerificationPage(grant.verification_uri_complete, USER);
    const issued = await pollToken(grant.device_code);
    const again = await pollToken(grant.device_code);

    expect(issued.body).toMatchObject({ code: 0, token_type: 'Bearer', expires_in: 7200 });
    expect(String(issued.body.access_token)).toMatch(/^eyJ/);
    expect(issued.body.refresh_token).toBeDefined();
    expect((await userInfo(String(issued.body.access_token))).data?.open_id).toBe(USER);
    expect(again.body.error).toBe('invalid_grant');
  });

  it('follows a per-user script: slow_down first, then consent as another account', async () => {
    await start();
    emu.oauth.scriptUser(USER, { outcome: 'approved', openId: OTHER });
    const grant = await deviceAuthorization();
    emu.oauth.scriptDeviceGrant({ userCode: grant.user_code }, { outcome: 'slow_down' });
    emu.oauth.openVerificationPage(grant.user_code, USER);

    expect((await pollToken(grant.device_code)).body.error).toBe('slow_down');
    const issued = await pollToken(grant.device_code);
    expect((await userInfo(String(issued.body.access_token))).data?.open_id).toBe(OTHER);
  });

  it('answers access_denied for a refusal and expired_token once the clock passes expires_in',
    async () => {
      await start();
      const refused = await deviceAuthorization();
      const abandoned = await deviceAuthorization();
      emu.oauth.scriptDeviceGrant({ deviceCode: refused.device_code },
        { outcome: 'access_denied' });
      emu.oauth.advanceClock(241_000);

      expect((await pollToken(abandoned.device_code)).body.error).toBe('expired_token');
      expect((await pollToken(refused.device_code)).body.error).toBe('expired_token');
    });

  it('refuses a device authorization with a wrong secret', async () => {
    await start();
    const res = await post('/oauth/v1/device_authorization',
      { client_id: APP.appId, client_secret: 'wrong', scope: 'offline_access' }, true);
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_client' } });
  });
});

describe('emulated authorization code flow with PKCE', () => {
  const redirectUri = 'http://127.0.0.1:7788/oauth/callback';
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  async function authorize(state = 'st_1'): Promise<URL> {
    const q = new URLSearchParams({ client_id: APP.appId, response_type: 'code', state,
      redirect_uri: redirectUri, scope: 'offline_access', code_challenge: challenge,
      code_challenge_method: 'S256' });
    const res = await fetch(`${emu.baseUrl}/open-apis/authen/v1/authorize?${q}`,
      { redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  }

  const exchange = (code: string, extra: Record<string, string> = {}) =>
    post('/open-apis/authen/v2/oauth/token', { grant_type: 'authorization_code', code,
      redirect_uri: redirectUri, code_verifier: verifier, ...client, ...extra });

  it('redirects as the signed-in user and exchanges the code once', async () => {
    await start();
    emu.oauth.signIn(USER);
    const location = await authorize();
    const code = location.searchParams.get('code')!;

    expect(location.searchParams.get('state')).toBe('st_1');
    const first = await exchange(code);
    expect((await userInfo(String(first.body.access_token))).data?.open_id).toBe(USER);
    expect((await exchange(code)).body).toMatchObject({ code: 20065 });
  });

  it('rejects a wrong verifier (20049) and a different redirect_uri (20071)', async () => {
    await start();
    emu.oauth.signIn(USER);
    const a = (await authorize()).searchParams.get('code')!;
    const b = (await authorize()).searchParams.get('code')!;

    const otherVerifier = randomBytes(32).toString('base64url');
    const wrongVerifier = await exchange(a, { code_verifier: otherVerifier });
    const wrongRedirect = await exchange(b, { redirect_uri: `${redirectUri}/` });
    expect(wrongVerifier).toMatchObject({ status: 400, body: { code: 20049 } });
    expect(wrongRedirect).toMatchObject({ status: 400, body: { code: 20071 } });
  });

  it('redirects with error=access_denied when the user refuses', async () => {
    await start();
    emu.oauth.signIn(USER);
    emu.oauth.scriptUser(USER, { outcome: 'access_denied' });
    const location = await authorize('st_2');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('st_2');
  });
});

describe('emulated refresh tokens', () => {
  async function tokens() {
    await start();
    const grant = await deviceAuthorization();
    emu.oauth.openVerificationPage(grant.user_code, USER);
    return (await pollToken(grant.device_code)).body as { access_token: string;
      refresh_token: string };
  }

  const refresh = (refreshToken: string) => post('/open-apis/authen/v2/oauth/token',
    { grant_type: 'refresh_token', refresh_token: refreshToken, ...client });

  it('rotates: a refresh token works once, its second use answers 20064', async () => {
    const first = await tokens();
    const rotated = await refresh(first.refresh_token);
    const reused = await refresh(first.refresh_token);

    expect(rotated.body.refresh_token).not.toBe(first.refresh_token);
    expect(reused).toMatchObject({ status: 400, body: { code: 20064, error: 'invalid_grant' } });
    expect((await refresh(String(rotated.body.refresh_token))).body.code).toBe(0);
  });

  it('lets tokens expire on the emulator clock: access after 2 h, refresh after 7 days',
    async () => {
      const first = await tokens();
      emu.oauth.advanceClock(7200_000);
      expect((await userInfo(first.access_token)).code).toBe(20005);

      emu.oauth.advanceClock(604_800_000);
      expect((await refresh(first.refresh_token)).body.code).toBe(20037);
    });
});

describe('emulated tokens issued by script, and network failures', () => {
  it('issues a user\'s tokens as if they consented; the refresh token rotates as usual',
    async () => {
      await start();
      const issued = emu.oauth.issueTokens(APP.appId, USER, ['offline_access']);

      expect((await userInfo(issued.access_token)).data?.open_id).toBe(USER);
      const rotated = await post('/open-apis/authen/v2/oauth/token',
        { grant_type: 'refresh_token', refresh_token: issued.refresh_token!, ...client });
      expect(rotated.body.code).toBe(0);
    });

  it('answers user_info with the profile a test scripted', async () => {
    await start();
    const issued = emu.oauth.issueTokens(APP.appId, USER, ['contact:user.base:readonly']);
    emu.oauth.setUserProfile(USER, { name: 'Ann Lee', email: 'ann@example.com' });

    expect((await userInfo(issued.access_token)).data).toMatchObject({ open_id: USER,
      name: 'Ann Lee', email: 'ann@example.com' });
  });

  it('closes the connection without an answer for a scripted reset, once', async () => {
    await start();
    emu.injectError({ method: 'POST', path: '/open-apis/authen/v2/oauth/token', status: 0,
      body: {}, reset: true });

    await expect(post('/open-apis/authen/v2/oauth/token', { grant_type: 'x', ...client }))
      .rejects.toThrow(/fetch failed/);
    expect((await post('/open-apis/authen/v2/oauth/token', { grant_type: 'x', ...client })).status)
      .toBe(400);
  });
});
