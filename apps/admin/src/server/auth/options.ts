import 'server-only';

import type { NextAuthOptions } from 'next-auth';
import { createAuthOptions, type SignedInUser } from '@repo/auth';
import { checkSignInPassword } from '@repo/auth/password';

import { serverEnv } from '@/env';
import { logger } from '@/lib/logger';
import { operatorQuery } from '../operator-db';

import { COOKIE_PREFIX, OPERATOR_KIND, SIGN_IN_PATH, secureCookies, sessionSecret } from './config';
import { sessionStore } from './sessions';

// Operators sign in against public.operators (read as app_operator), never against the tenant users: a
// tenant user's email and password find no row here.

let options: NextAuthOptions | undefined;

export function authOptions(): NextAuthOptions {
  options ??= createAuthOptions({
    secret: sessionSecret(),
    verify: verifyOperator,
    claims: async ({ user }) => (user ? { kind: OPERATOR_KIND } : {}),
    signInPage: SIGN_IN_PATH,
    cookiePrefix: COOKIE_PREFIX,
    secureCookies: secureCookies(),
    sessions: sessionStore(),
    maxAgeSeconds: serverEnv().SESSION_MAX_AGE_SECONDS,
    log: logger,
  });
  return options;
}

async function verifyOperator(email: string, password: string): Promise<SignedInUser | null> {
  const rows = await operatorQuery<{ id: string; email: string; name: string; password_hash: string }>(
    'SELECT id, email, name, password_hash FROM public.operators WHERE lower(email) = lower($1)',
    [email],
  );
  const operator = rows[0];
  const ok = await checkSignInPassword(operator?.password_hash, password);
  if (!operator || !ok) {
    logger.warn({ email }, 'operator sign-in refused');
    return null;
  }
  logger.info({ operator: operator.email }, 'operator signed in');
  return { id: operator.id, email: operator.email, name: operator.name };
}
