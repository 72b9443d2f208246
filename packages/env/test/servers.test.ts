import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { parseEnv, placementSetting, primaryNameDistinct, primaryNameSetting, serversConfig, serversSetting } from '../src/index';

const schema = z
  .object({ TENANCY_SERVERS: serversSetting, TENANCY_PRIMARY_NAME: primaryNameSetting, TENANCY_PLACEMENT: placementSetting })
  .refine(primaryNameDistinct, { path: ['TENANCY_PRIMARY_NAME'], message: 'must not also name one of TENANCY_SERVERS' });

const secret = 'hunter2-secret';
const b = { name: 'b', adminUrl: `postgres://owner:${secret}@b:5432/app`, appUrl: `postgres://app_user:${secret}@b:6432/app`, maxConnections: 5 };
const parse = (servers: unknown, rest: Record<string, string> = {}) =>
  parseEnv(schema, { TENANCY_SERVERS: typeof servers === 'string' ? servers : JSON.stringify(servers), ...rest });

/** The error message of a refused environment; fails the test when it was accepted. */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the environment was accepted');
}

describe('TENANCY_SERVERS', () => {
  it('is optional: one server, named primary, placed by fewest tenants', () => {
    const parsed = parseEnv(schema, {});
    expect(parsed).toEqual({ TENANCY_SERVERS: undefined, TENANCY_PRIMARY_NAME: 'primary', TENANCY_PLACEMENT: 'fewest-tenants' });
    expect(serversConfig(parsed, { withAdmin: true })).toEqual({ primaryName: 'primary', placement: 'fewest-tenants', servers: [] });
  });

  it('reads the servers, and leaves every adminUrl out for a process that only serves tenants', () => {
    const parsed = parse([b, { name: 'c', appUrl: 'postgres://app_user@c/app', sharedTables: true }], {
      TENANCY_PRIMARY_NAME: 'a',
      TENANCY_PLACEMENT: 'least-bytes',
    });
    expect(serversConfig(parsed, { withAdmin: true })).toEqual({
      primaryName: 'a',
      placement: 'least-bytes',
      servers: [b, { name: 'c', appUrl: 'postgres://app_user@c/app', sharedTables: true }],
    });
    const serving = serversConfig({ ...parsed, TENANCY_PLACEMENT: undefined }, { withAdmin: false });
    expect(serving).toEqual({
      primaryName: 'a',
      servers: [
        { name: 'b', appUrl: b.appUrl, maxConnections: 5 },
        // A shard of the shared tables is one for every process: the web app serves its rls tenants there.
        { name: 'c', appUrl: 'postgres://app_user@c/app', sharedTables: true },
      ],
    });
  });

  it('names the entry and the field of each problem, and never echoes a value', () => {
    const message = refusal(() =>
      parse([
        { ...b, appUrl: `mysql://root:${secret}@b/app` },
        { name: 'B-2', appUrl: b.appUrl },
        { name: 'c', adminUrl: b.adminUrl },
        { name: 'd', appUrl: b.appUrl, appURL: b.appUrl, maxConnections: 0 },
        `postgres://x:${secret}@e/app`,
        { name: 'f', appUrl: b.appUrl, sharedTables: 'yes' },
      ]),
    );
    expect(message).toMatch(/TENANCY_SERVERS is invalid: entry 1: appUrl must be a postgres:\/\/ or postgresql:\/\/ connection URL/);
    expect(message).toMatch(/entry 2: name must be a lowercase name/);
    expect(message).toMatch(/entry 3: appUrl is missing/);
    expect(message).toMatch(/entry 4: has unknown keys "appURL"/);
    expect(message).toMatch(/entry 4: maxConnections /);
    expect(message).toMatch(/entry 5: must be an object/);
    expect(message).toMatch(/entry 6: sharedTables /);
    expect(message).not.toContain(secret);
  });

  it('refuses text that is not JSON, or not an array, without quoting it', () => {
    const notJson = refusal(() => parse(`[{"name":"b","appUrl":"postgres://u:${secret}@b/app"`));
    expect(notJson).toMatch(/TENANCY_SERVERS is not valid JSON/);
    expect(notJson).not.toContain(secret);
    expect(refusal(() => parse(b))).toMatch(/TENANCY_SERVERS must be a JSON array/);
  });

  it('refuses a name given twice, or the primary`s name, and an unknown placement', () => {
    expect(refusal(() => parse([b, b]))).toMatch(/TENANCY_SERVERS is invalid: names server "b" twice/);
    expect(refusal(() => parse([b], { TENANCY_PRIMARY_NAME: 'b' }))).toMatch(/TENANCY_PRIMARY_NAME must not also name one of TENANCY_SERVERS/);
    expect(refusal(() => parse([b], { TENANCY_PLACEMENT: 'random' }))).toMatch(/TENANCY_PLACEMENT is invalid/);
  });
});
