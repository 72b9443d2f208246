import 'server-only';

import { createAuthOptions } from '@repo/auth';
import type { NextAuthOptions } from 'next-auth';

import { serverEnv } from '@/env';
import { logger } from '@/lib/logger';

import { verifyCredentials } from './accounts';
import { sessionStore } from './sessions';

import { SIGN_IN_PATH } from './config';

export { SIGN_IN_PATH };

let options: NextAuthOptions | undefined;

// The cookie names the user and their server-side session, not an organisation: the organisation is the URL's
// (/o/<slug>), checked against the memberships on every request (src/server/session.ts), so two tabs can work in two.

/** next-auth options, built on first use (the secret is read at run time, never at build time). */
export function authOptions(): NextAuthOptions {
  if (options) return options;
  const env = serverEnv();
  options = createAuthOptions({
    secret: env.NEXTAUTH_SECRET,
    verify: verifyCredentials,
    signInPage: SIGN_IN_PATH,
    // The admin app runs on the same host in development: distinct cookie names keep the two sessions apart.
    cookiePrefix: 'web',
    secureCookies: env.NEXTAUTH_URL?.startsWith('https://') ?? false,
    sessions: sessionStore(),
    maxAgeSeconds: env.SESSION_MAX_AGE_SECONDS,
    log: logger,
  });
  return options;
}
