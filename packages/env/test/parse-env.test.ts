import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { DEV_RUNNER_DEFAULTS } from '@repo/db/published-secrets';

import { deploymentUrl, parseEnv, poolerSetting, secretSetting } from '../src/index';

const schema = z.object({
  DATABASE_URL: deploymentUrl,
  TENANCY_CONTEXT_SECRET: secretSetting('the HMAC key of the tenant context'),
  TENANCY_POOLER: poolerSetting,
});

describe('parseEnv', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('names every missing or bad variable, once each, without echoing a value', () => {
    const source = { DATABASE_URL: 'mysql://root:hunter2-secret@db/app', TENANCY_POOLER: 'pgbouncer-statement' };
    const parse = () => parseEnv(schema, source);
    expect(parse).toThrow(/DATABASE_URL is invalid: must be a postgres:\/\/ or postgresql:\/\/ connection URL/);
    expect(parse).toThrow(/TENANCY_CONTEXT_SECRET is missing/);
    expect(parse).toThrow(/TENANCY_POOLER is invalid/);
    expect(parse).not.toThrow(/hunter2|pgbouncer-statement/);
  });

  it('reads an empty value as unset, and applies defaults', () => {
    const parsed = parseEnv(schema, { DATABASE_URL: 'postgres://app@db/app', TENANCY_CONTEXT_SECRET: 'x'.repeat(32), TENANCY_POOLER: '' });
    expect(parsed.TENANCY_POOLER).toBe('direct');
  });

  it('refuses a short secret everywhere, and a published one only in production', () => {
    const published = DEV_RUNNER_DEFAULTS.TENANCY_CONTEXT_SECRET;
    const source = { DATABASE_URL: 'postgres://app@db/app', TENANCY_CONTEXT_SECRET: 'too-short' };
    expect(() => parseEnv(schema, source)).toThrow(/TENANCY_CONTEXT_SECRET is invalid: must be at least 32 characters/);
    expect(parseEnv(schema, { ...source, TENANCY_CONTEXT_SECRET: published }).TENANCY_CONTEXT_SECRET).toBe(published);
    vi.stubEnv('NODE_ENV', 'production');
    expect(() => parseEnv(schema, { ...source, TENANCY_CONTEXT_SECRET: published })).toThrow(/TENANCY_CONTEXT_SECRET /);
  });
});
