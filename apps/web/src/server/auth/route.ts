import 'server-only';

import { createAuthRoute } from '@repo/auth/auth-route';

import { serverEnv } from '@/env';
import { logger } from '@/lib/logger';

import { SESSION_COOKIE, SIGN_IN_PATH } from './config';
import { authOptions } from './options';
import { signInLimiter } from './sign-in-limits';

/** next-auth's routes with the sign-in limits in front of the credentials callback (@repo/auth/auth-route). */
export const authRoute = createAuthRoute({
  options: authOptions,
  limiter: signInLimiter,
  trustedProxies: () => serverEnv().TRUST_PROXY,
  sessionCookie: SESSION_COOKIE,
  signInPage: SIGN_IN_PATH,
  log: logger,
});
