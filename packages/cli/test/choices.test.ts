import { STRATEGIES } from '@repo/tenancy';
import { POOL_MODES } from '@repo/tenancy/pgbouncer';
import { describe, expect, it } from 'vitest';
import { POOL_MODE_CHOICES, STRATEGY_CHOICES } from '../src/choices';

describe("the CLI's copies of the library's lists (kept so --help loads no library)", () => {
  it('are the same values', () => {
    expect([...STRATEGY_CHOICES]).toEqual([...STRATEGIES]);
    expect([...POOL_MODE_CHOICES]).toEqual([...POOL_MODES]);
  });
});
