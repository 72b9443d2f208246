import 'server-only';

import { createSignInLimiter, type SignInLimiter } from '@repo/auth/sign-in-limits';

import { serverEnv } from '@/env';
import { authPool } from '@/server/auth/accounts';

// Sign-ups and password-reset requests per email address and per client address, per hour: each one sends a mail, so
// neither a mailbox nor the deployment's mail reputation can be flooded. Counted like the sign-in limits (the same
// table, app_auth, hashed keys), under keys of their own; every request counts, successful or not.

const WINDOW_SECONDS = 3600;
const limiters = new Map<string, SignInLimiter>();

export function accountMailLimiter(kind: 'sign-up' | 'reset'): SignInLimiter {
  let limiter = limiters.get(kind);
  if (!limiter) {
    const env = serverEnv();
    limiter = createSignInLimiter(authPool(), `web-${kind}`, {
      windowSeconds: WINDOW_SECONDS,
      maxFailuresPerAccount: env.SIGN_UP_MAX_PER_EMAIL,
      maxFailuresPerAddress: env.SIGN_UP_MAX_PER_ADDRESS,
    });
    limiters.set(kind, limiter);
  }
  return limiter;
}
