import { encode } from 'next-auth/jwt';
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';

import { sessionGate } from '../src/proxy';

const SECRET = 'a-test-secret-of-at-least-32-characters-0123';
const COOKIE = 'test.session-token';

const gate = sessionGate({
  secret: SECRET,
  cookieName: COOKIE,
  signInPath: '/sign-in',
  admits: (token) => token.kind === 'operator',
  unauthorized: 'Sign in as an operator first.',
});

async function request(path: string, token?: Record<string, unknown> | string): Promise<NextRequest> {
  const headers = new Headers();
  if (token !== undefined) {
    const value = typeof token === 'string' ? token : await encode({ token, secret: SECRET });
    headers.set('cookie', `${COOKIE}=${value}`);
  }
  return new NextRequest(new URL(path, 'http://localhost:3001'), { headers });
}

describe('sessionGate', () => {
  it('lets the sign-in page, next-auth’s routes and Next’s assets through without a session', async () => {
    for (const path of ['/sign-in', '/api/auth/csrf', '/_next/static/chunks/app.js', '/favicon.ico', '/icon.svg']) {
      expect(await gate(await request(path)), path).toBeUndefined();
    }
  });

  it('sends a page request without a session to sign in, remembering where it was going', async () => {
    const response = await gate(await request('/tenants?status=active'));
    expect(response?.status).toBe(307);
    const location = new URL(response!.headers.get('location')!);
    expect(location.pathname).toBe('/sign-in');
    expect(location.searchParams.get('callbackUrl')).toBe('/tenants?status=active');
    expect(new URL((await gate(await request('/')))!.headers.get('location')!).search).toBe('');
  });

  it('answers an API request without a session 401, uncached', async () => {
    const response = await gate(await request('/api/tenants'));
    expect(response?.status).toBe(401);
    expect(response?.headers.get('cache-control')).toBe('no-store');
    expect(await response?.json()).toEqual({ error: 'Sign in as an operator first.' });
  });

  it('admits only a token the app admits; a cookie that does not decrypt is no session, not an error', async () => {
    expect(await gate(await request('/tenants', { sub: 'u1', kind: 'operator' }))).toBeUndefined();
    expect((await gate(await request('/tenants', { sub: 'u1' })))?.status).toBe(307);
    expect((await gate(await request('/api/tenants', 'not-a-jwe')))?.status).toBe(401);
  });
});
