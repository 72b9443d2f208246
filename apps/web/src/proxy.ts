import { secureProxy } from '@repo/auth/proxy';
import { getToken } from 'next-auth/jwt';
import { NextResponse, type NextRequest } from 'next/server';

import { env, serverEnv } from '@/env';
import { SESSION_COOKIE, SIGN_IN_PAGE } from '@/server/auth/constants';

// Every request passes here. Each response leaves with the security headers (CSP with a fresh nonce, framing, HSTS
// over https: @repo/auth/proxy). The sign-in gate is the first check, not the only one: no valid session cookie, no
// page (pages go to sign-in and come back after it, API routes answer 401). It only checks that the cookie is a valid,
// unexpired session; pages, actions and routes re-read the session and re-check it and the membership themselves
// (src/server/session.ts).

/** Reachable without a session: next-auth's own routes, the sign-in page, Next's assets and the icons. */
const PUBLIC = /^\/(api\/auth(\/|$)|sign-in$|_next\/(static|image)\/|favicon\.ico$|robots\.txt$|icon\.svg$)/;

async function signInGate(request: NextRequest): Promise<NextResponse | undefined> {
  const { pathname, search } = request.nextUrl;
  if (PUBLIC.test(pathname)) return undefined;
  const token = await getToken({ req: request, secret: serverEnv().NEXTAUTH_SECRET, cookieName: SESSION_COOKIE });
  if (token?.sub) return undefined;
  if (pathname.startsWith('/api/')) {
    return NextResponse.json({ error: 'Sign in first.' }, { status: 401, headers: { 'cache-control': 'no-store' } });
  }
  const target = new URL(SIGN_IN_PAGE, request.url);
  if (pathname !== '/') target.searchParams.set('callbackUrl', `${pathname}${search}`);
  return NextResponse.redirect(target);
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
