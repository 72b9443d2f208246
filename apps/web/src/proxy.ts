import { getToken } from 'next-auth/jwt';
import { NextResponse, type NextRequest } from 'next/server';

import { serverEnv } from '@/env';
import { SESSION_COOKIE, SIGN_IN_PAGE } from '@/server/auth/constants';

// The first gate: no valid session cookie, no page. Pages go to sign-in (and come back after it), API routes
// answer 401. It only checks that the cookie is a valid, unexpired session; pages, actions and routes re-read
// the session and re-check the membership themselves (src/server/session.ts), so this is not the only check.

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const token = await getToken({ req: request, secret: serverEnv().NEXTAUTH_SECRET, cookieName: SESSION_COOKIE });
  if (token?.sub) return NextResponse.next();
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith('/api/')) {
    return NextResponse.json({ error: 'Sign in first.' }, { status: 401, headers: { 'cache-control': 'no-store' } });
  }
  const target = new URL(SIGN_IN_PAGE, request.url);
  if (pathname !== '/') target.searchParams.set('callbackUrl', `${pathname}${search}`);
  return NextResponse.redirect(target);
}

export const config = {
  // Everything except next-auth's own routes, the sign-in page, Next's assets and the favicon.
  matcher: ['/((?!api/auth|sign-in|_next/static|_next/image|favicon\\.ico|robots\\.txt).*)'],
};
