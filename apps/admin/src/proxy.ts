import { getToken } from 'next-auth/jwt';
import { NextResponse, type NextRequest } from 'next/server';

import { OPERATOR_KIND, SESSION_COOKIE, SIGN_IN_PATH, sessionSecret } from '@/server/auth/config';

// Every route of this app needs a signed-in operator, except the sign-in page and next-auth's own endpoints.
// Pages redirect to the sign-in page (remembering where the operator was going); API routes answer 401.
// This is the first gate, not the only one: pages, server actions and route handlers check the operator
// again (src/server/session.ts), against the database.

const PUBLIC_PATHS = [SIGN_IN_PATH, '/api/auth/'];

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const { pathname, search } = request.nextUrl;
  if (PUBLIC_PATHS.some((p) => pathname === p || (p.endsWith('/') && pathname.startsWith(p)))) return NextResponse.next();

  const token = await getToken({ req: request, secret: sessionSecret(), cookieName: SESSION_COOKIE }).catch(() => null);
  if (token?.kind === OPERATOR_KIND) return NextResponse.next();

  if (pathname.startsWith('/api/')) return NextResponse.json({ error: 'Sign in as an operator first.' }, { status: 401 });
  const signIn = new URL(SIGN_IN_PATH, request.url);
  if (pathname !== '/') signIn.searchParams.set('callbackUrl', `${pathname}${search}`);
  return NextResponse.redirect(signIn);
}

export const config = {
  // Everything but Next's static assets (the sign-in page needs its CSS and scripts).
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
