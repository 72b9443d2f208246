import { getToken, type JWT } from 'next-auth/jwt';
import { NextResponse, type NextRequest } from 'next/server';

import { servedOverHttps } from './client-address';
import { CONTENT_SECURITY_POLICY, newNonce, securityHeaders } from './security-headers';

// The shape both apps' proxy.ts share: the app's session gate decides whether the request goes on, and whatever
// leaves (the page, a redirect to sign-in, a 401) carries the security headers.

export interface ProxySettings {
  /** NEXTAUTH_URL: an https public URL means HSTS on every response. */
  publicUrl?: string | undefined;
  /** TRUST_PROXY: how many proxies in front of the app set X-Forwarded-*; 0 ignores those headers. */
  trustedProxies: number;
  development: boolean;
}

/** A response that ends the request here (a redirect, a 401), or undefined to let it through. */
export type Gate = (request: NextRequest) => Promise<NextResponse | undefined>;

export async function secureProxy(request: NextRequest, settings: ProxySettings, gate: Gate): Promise<NextResponse> {
  const headers = securityHeaders({
    nonce: newNonce(),
    https: servedOverHttps(request.headers, settings),
    development: settings.development,
  });
  const stopped = await gate(request);
  // Next takes the nonce for its scripts from the policy on the request (the documented way to hand it over; Next
  // 16 also copies a proxy's response headers onto the request, which this does not rely on).
  const forwarded = new Headers(request.headers);
  forwarded.set(CONTENT_SECURITY_POLICY, headers[CONTENT_SECURITY_POLICY]!);
  const response = stopped ?? NextResponse.next({ request: { headers: forwarded } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

/** Reachable without a session: next-auth's own routes, the sign-in page, Next's assets and the icons. */
const PUBLIC = /^\/(api\/auth(\/|$)|sign-in$|_next\/(static|image)\/|favicon\.ico$|robots\.txt$|icon\.svg$)/;

export interface SessionGateOptions {
  /** The key the app's session cookie is encrypted with. */
  secret: string;
  cookieName: string;
  signInPath: string;
  /** Whether the decoded session token admits its holder to this app (a user id; the operator claim). */
  admits: (token: JWT) => boolean;
  /** The 401 answer's message for an API route. */
  unauthorized: string;
  /** Further pages of the app reachable without a session (the web's sign-up and password-reset pages). */
  publicPaths?: RegExp;
}

/**
 * The first gate of both apps, not the only one: without a session cookie this app accepts, pages redirect to the
 * sign-in page (remembering where the request was going) and API routes answer 401. It checks only that the cookie
 * decrypts to an unexpired token the app admits; pages, actions and routes re-read the session from the database.
 */
export function sessionGate(options: SessionGateOptions): Gate {
  return async (request) => {
    const { pathname, search } = request.nextUrl;
    if (PUBLIC.test(pathname) || options.publicPaths?.test(pathname)) return undefined;
    // A cookie that does not decrypt (another app's, a tampered one) is no session, not a server error.
    const token = await getToken({ req: request, secret: options.secret, cookieName: options.cookieName }).catch(() => null);
    if (token && options.admits(token)) return undefined;
    if (pathname.startsWith('/api/')) return NextResponse.json({ error: options.unauthorized }, { status: 401, headers: { 'cache-control': 'no-store' } });
    const target = new URL(options.signInPath, request.url);
    if (pathname !== '/') target.searchParams.set('callbackUrl', `${pathname}${search}`);
    return NextResponse.redirect(target);
  };
}
