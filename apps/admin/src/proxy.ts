import { secureProxy } from '@repo/auth/proxy';
import { getToken } from 'next-auth/jwt';
import { NextResponse, type NextRequest } from 'next/server';

import { env, serverEnv } from '@/env';
import { OPERATOR_KIND, SESSION_COOKIE, SIGN_IN_PATH, sessionSecret } from '@/server/auth/config';

// Every request passes here. Each response leaves with the security headers (CSP with a fresh nonce, framing, HSTS
// over https: @repo/auth/proxy). Every route of this app needs a signed-in operator, except the sign-in page,
// next-auth's own endpoints and Next's assets: pages redirect to the sign-in page (remembering where the operator was
// going); API routes answer 401. This is the first gate, not the only one: pages, server actions and route handlers
// check the operator again (src/server/session.ts), against the database.

/** Reachable without a session: next-auth's own routes, the sign-in page, Next's assets and the icons. */
const PUBLIC = /^\/(api\/auth(\/|$)|sign-in$|_next\/(static|image)\/|favicon\.ico$|robots\.txt$|icon\.svg$)/;

async function signInGate(request: NextRequest): Promise<NextResponse | undefined> {
  const { pathname, search } = request.nextUrl;
  if (PUBLIC.test(pathname)) return undefined;
  const token = await getToken({ req: request, secret: sessionSecret(), cookieName: SESSION_COOKIE }).catch(() => null);
  if (token?.kind === OPERATOR_KIND) return undefined;
  if (pathname.startsWith('/api/')) return NextResponse.json({ error: 'Sign in as an operator first.' }, { status: 401 });
  const signIn = new URL(SIGN_IN_PATH, request.url);
  if (pathname !== '/') signIn.searchParams.set('callbackUrl', `${pathname}${search}`);
  return NextResponse.redirect(signIn);
}

export function proxy(request: NextRequest): Promise<NextResponse> {
  const settings = serverEnv();
  return secureProxy(
    request,
    { publicUrl: settings.NEXTAUTH_URL, trustedProxies: settings.TRUST_PROXY, development: env.NODE_ENV === 'development' },
    signInGate,
  );
}

export const config = {
  // Every path: the security headers go on every response, assets included.
  matcher: ['/:path*'],
};
