// Types only (erased at build), so client components may import them too.
export type { MembershipRole } from '@repo/db/schema';
export type { StrategyName } from '@repo/tenancy';
