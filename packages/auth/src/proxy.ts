import { NextResponse, type NextRequest } from 'next/server';

import { servedOverHttps } from './client-address';
import { CONTENT_SECURITY_POLICY, newNonce, securityHeaders } from './security-headers';

// The shape both apps' proxy.ts share: the app's own sign-in gate decides whether the request goes on, and whatever
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
