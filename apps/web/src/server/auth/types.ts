// Types only (erased at build), so client components may import them too.
export type { MembershipRole } from '@repo/db/schema';
export type { StrategyName } from '@repo/tenancy';

import type { MembershipRole } from '@repo/db/schema';

/** What the JWT carries besides next-auth's own sub/email/name: the active tenant, set at sign-in and on a switch. */
export interface TenantClaims {
  tenantId: string | null;
  role: MembershipRole | null;
}
