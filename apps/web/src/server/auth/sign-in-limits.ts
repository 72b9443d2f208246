import 'server-only';

import { createSignInLimiter, type SignInLimiter } from '@repo/auth/sign-in-limits';

import { serverEnv } from '@/env';

import { authPool } from './accounts';

// The web's sign-in limits: counted in public.sign_in_limits as app_auth (the role that signs users in), under keys of
// their own ("web:..."), with the limits of SIGN_IN_WINDOW_SECONDS and SIGN_IN_MAX_FAILURES_PER_*.

let limiter: SignInLimiter | undefined;

export function signInLimiter(): SignInLimiter {
  if (!limiter) {
    const env = serverEnv();
    limiter = createSignInLimiter(authPool(), 'web', {
      windowSeconds: env.SIGN_IN_WINDOW_SECONDS,
      maxFailuresPerAccount: env.SIGN_IN_MAX_FAILURES_PER_ACCOUNT,
      maxFailuresPerAddress: env.SIGN_IN_MAX_FAILURES_PER_ADDRESS,
    });
  }
  return limiter;
}
