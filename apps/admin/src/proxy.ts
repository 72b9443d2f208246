import { secureProxy, sessionGate } from '@repo/auth/proxy';
import type { NextRequest, NextResponse } from 'next/server';

import { env, serverEnv } from '@/env';
import { OPERATOR_KIND, SESSION_COOKIE, SIGN_IN_PATH, sessionSecret } from '@/server/auth/config';

// Every request passes here. Each response leaves with the security headers (CSP with a fresh nonce, framing, HSTS
// over https) after the session gate (both: @repo/auth/proxy, as in apps/web). Every route needs a signed-in operator
// except the sign-in page, next-auth's own endpoints and Next's assets. The gate is the first check, not the only
// one: pages, server actions and route handlers check the operator again (src/server/session.ts), in the database.

export function proxy(request: NextRequest): Promise<NextResponse> {
  const settings = serverEnv();
  const gate = sessionGate({
    secret: sessionSecret(),
    cookieName: SESSION_COOKIE,
    signInPath: SIGN_IN_PATH,
    admits: (token) => token.kind === OPERATOR_KIND,
    unauthorized: 'Sign in as an operator first.',
  });
  return secureProxy(request, { publicUrl: settings.NEXTAUTH_URL, trustedProxies: settings.TRUST_PROXY, development: env.NODE_ENV === 'development' }, gate);
}

export const config = {
  // Every path: the security headers go on every response, assets included.
  matcher: ['/:path*'],
};
