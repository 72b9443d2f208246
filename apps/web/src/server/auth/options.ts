import 'server-only';

import { createAuthOptions } from '@repo/auth';
import type { NextAuthOptions } from 'next-auth';
import { z } from 'zod';

import { serverEnv } from '@/env';
import { logger } from '@/lib/logger';

import { loadMemberships, verifyCredentials, type Membership } from './accounts';
import { sessionStore } from './sessions';
import type { TenantClaims } from './types';

import { SIGN_IN_PATH } from './config';

export { SIGN_IN_PATH };

const switchRequest = z.object({ tenantId: z.uuid() });

function claimsFor(membership: Membership | undefined): TenantClaims {
  return { tenantId: membership?.tenantId ?? null, role: membership?.role ?? null };
}

let options: NextAuthOptions | undefined;

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
    async claims({ token, user, update }) {
      const userId = user?.id ?? token.sub;
      if (!userId) return {};
      const memberships = await loadMemberships(userId, { fresh: true });
      // Sign-in: the first tenant (by name) is active.
      if (user) return { ...claimsFor(memberships[0]) };
      // A switch: the client only asks; the membership list read just now decides.
      const request = switchRequest.safeParse(update);
      if (!request.success) return {};
      const target = memberships.find((m) => m.tenantId === request.data.tenantId);
      if (!target) {
        logger.warn({ event: 'tenant-switch.refused', userId, tenantId: request.data.tenantId }, 'tenant switch refused: not a member');
        return {};
      }
      logger.info({ event: 'tenant-switch', userId, tenantId: target.tenantId, role: target.role }, 'tenant switched');
      return { ...claimsFor(target) };
    },
  });
  return options;
}
