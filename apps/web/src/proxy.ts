import { secureProxy, sessionGate } from '@repo/auth/proxy';
import type { NextRequest, NextResponse } from 'next/server';

import { env, serverEnv } from '@/env';
import { SESSION_COOKIE, SIGN_IN_PATH } from '@/server/auth/config';

// Every request passes here. Each response leaves with the security headers (CSP with a fresh nonce, framing, HSTS
// over https) after the session gate (both: @repo/auth/proxy, as in apps/admin). The gate is the first check, not the
// only one: pages, actions and routes re-read the session and re-check it and the membership themselves
// (src/server/session.ts). The JSON API under /api/v1 takes no session: each of its routes demands an API key itself
// (src/server/api/handler.ts; the e2e suite calls every /api/v1 route of the build without one and expects 401), and
// the OpenAPI document is public.

const API_KEY_PATHS = /^\/api\/v1(\/|$)/;

export function proxy(request: NextRequest): Promise<NextResponse> {
  const settings = serverEnv();
  const sessionOnly = sessionGate({
    secret: settings.NEXTAUTH_SECRET,
    cookieName: SESSION_COOKIE,
    signInPath: SIGN_IN_PATH,
    admits: (token) => typeof token.sub === 'string' && token.sub !== '',
    unauthorized: 'Sign in first.',
    // Signing up, confirming an address and resetting a password happen before there is a session; the development
    // inbox (src/app/dev/inbox) answers 404 outside development.
    publicPaths: /^\/(sign-up|verify-email|forgot-password|reset-password|invite|dev\/inbox)$/,
  });
  const gate = (incoming: NextRequest) => (API_KEY_PATHS.test(incoming.nextUrl.pathname) ? Promise.resolve(undefined) : sessionOnly(incoming));
  return secureProxy(request, { publicUrl: settings.NEXTAUTH_URL, trustedProxies: settings.TRUST_PROXY, development: env.NODE_ENV === 'development' }, gate);
}

export const config = {
  // Every path: the security headers go on every response, assets included.
  matcher: ['/:path*'],
};
