import type { StrategyName } from '@repo/tenancy';
import type { PoolMode } from '@repo/tenancy/pgbouncer';

// The library's STRATEGIES and POOL_MODES, for commander's choices, without loading the library to print --help.
// The types below fail to compile when a list lacks one of the library's names; test/choices.test.ts compares the
// values with the library's own.

export const STRATEGY_CHOICES = ['rls', 'schema', 'database'] as const satisfies readonly StrategyName[];
export const POOL_MODE_CHOICES = ['session', 'transaction'] as const satisfies readonly PoolMode[];

type Covers<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : false;
export const CHOICES_COVER_THE_LIBRARY: [Covers<StrategyName, (typeof STRATEGY_CHOICES)[number]>, Covers<PoolMode, (typeof POOL_MODE_CHOICES)[number]>] = [
  true,
  true,
];
