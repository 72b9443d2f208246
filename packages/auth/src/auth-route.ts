import type { NextAuthOptions } from 'next-auth';
import NextAuth from 'next-auth';
import type { NextRequest } from 'next/server';

import { clientAddress } from './client-address';
import { credentialsSchema } from './credentials';
import type { SignInLimiter } from './sign-in-limits';

// next-auth's route (/api/auth/[...nextauth]) with the sign-in limits in front of its credentials callback, the
// endpoint both sign-in forms post to (POST /api/auth/callback/credentials). Over the limit it answers 429 with
// Retry-After before next-auth (and the password check) runs; every failed attempt is logged with the client's
// address and the account, never the password.

/** The error code of a refused attempt, as next-auth names its own (`?error=CredentialsSignin`). */
export const TOO_MANY_ATTEMPTS = 'TooManyAttempts';

export interface AuthLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface AuthRouteConfig {
  /** Built on first use: they need the server's environment, which `next build` does not have. */
  options(): NextAuthOptions;
  limiter(): SignInLimiter;
  /** TRUST_PROXY. */
  trustedProxies(): number;
  /** The session cookie's name: next-auth sets it only when the credentials were right. */
  sessionCookie: string;
  signInPage: string;
  log: AuthLog;
}

type Context = { params: Promise<{ nextauth: string[] }> };

const CREDENTIALS_CALLBACK = /\/callback\/credentials\/?$/;

export function createAuthRoute(config: AuthRouteConfig): (request: NextRequest, context: Context) => Promise<Response> {
  const nextAuth = (request: NextRequest, context: Context): Promise<Response> => NextAuth(request, context, config.options()) as Promise<Response>;

  return async function authRoute(request, context) {
    if (request.method !== 'POST' || !CREDENTIALS_CALLBACK.test(request.nextUrl.pathname)) return nextAuth(request, context);

    const account = await postedAccount(request);
    const address = clientAddress(request.headers, config.trustedProxies());
    const logged = { address, account: account ?? '(no valid email)' };
    const attempt = await config.limiter().attempt({ account, address });
    if (!attempt.allowed) {
      config.log.warn(
        { event: 'sign-in.limited', ...logged, limitedBy: attempt.limitedBy, retryAfterSeconds: attempt.retryAfterSeconds },
        'sign-in refused: too many attempts',
      );
      return tooManyAttempts(request, config.signInPage, attempt.retryAfterSeconds);
    }
    const response = await nextAuth(request, context);
    if (setsSession(response, config.sessionCookie)) {
      await attempt.succeeded();
    } else {
      config.log.warn({ event: 'sign-in.failed', ...logged, status: response.status }, 'sign-in refused');
    }
    return response;
  };
}

/** The email of the attempt, normalised as the sign-in checks it; undefined when there is no valid one. */
async function postedAccount(request: NextRequest): Promise<string | undefined> {
  const type = request.headers.get('content-type') ?? '';
  let email: unknown;
  try {
    const copy = request.clone();
    if (type.includes('application/json')) email = ((await copy.json()) as { email?: unknown } | null)?.email;
    else if (type.includes('application/x-www-form-urlencoded')) email = new URLSearchParams(await copy.text()).get('email');
  } catch {
    return undefined;
  }
  // Only a well-formed email counts (and is logged): a password typed into the email field is neither.
  const parsed = credentialsSchema.shape.email.safeParse(email);
  return parsed.success ? parsed.data : undefined;
}

function tooManyAttempts(request: NextRequest, signInPage: string, retryAfterSeconds: number): Response {
  const url = new URL(signInPage, request.url);
  url.searchParams.set('error', TOO_MANY_ATTEMPTS);
  // next-auth's client reads `url` (its JSON answer to a sign-in); the rest is for API clients and the forms.
  return Response.json(
    { error: TOO_MANY_ATTEMPTS, retryAfterSeconds, url: url.toString() },
    { status: 429, headers: { 'retry-after': String(retryAfterSeconds), 'cache-control': 'no-store' } },
  );
}

/** next-auth splits a large token into `<name>.0`, `<name>.1`...; an empty value is a deletion. */
function setsSession(response: Response, cookieName: string): boolean {
  return response.headers.getSetCookie().some((cookie) => {
    const [name = '', value = ''] = cookie.split(';', 1)[0]!.split('=', 2);
    return (name === cookieName || name === `${cookieName}.0`) && value !== '';
  });
}
