import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  authSetupSql,
  explainPgBouncerLoginError,
  PgBouncerConfigError,
  PgBouncerLoginError,
  POOLER_SETTINGS,
  poolerFromSetting,
  pgbouncerIni,
  pgbouncerUserlist,
  userlist,
  type PgBouncerInput,
} from '../../src/pgbouncer/index';
import { passwordMatches, scramVerifier } from '../../src/pgbouncer/scram';

const base: PgBouncerInput = {
  poolMode: 'transaction',
  authPassword: 'pgbouncer_auth_dev',
  authFile: '/etc/pgbouncer/userlist.txt',
};

function setting(ini: string, key: string): string | undefined {
  const line = ini.split('\n').find((candidate) => candidate.startsWith(`${key} =`));
  return line?.slice(key.length + 2).trim();
}

function configError(run: () => unknown): PgBouncerConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof PgBouncerConfigError) return error;
    throw error;
  }
  throw new Error('expected a PgBouncerConfigError');
}

describe('pgbouncerIni', () => {
  it('routes every database through one wildcard entry that carries the auth user', () => {
    const ini = pgbouncerIni({ ...base, serverHost: 'postgres', serverPort: 5433 });
    expect(ini).toMatch(/^\[databases\]$/m);
    expect(ini).toMatch(/^\* = host=postgres port=5433 auth_user=pgbouncer_auth$/m);
  });

  it('finds login roles through auth_query with SCRAM', () => {
    const ini = pgbouncerIni(base);
    expect(setting(ini, 'auth_query')).toBe('SELECT usename, passwd FROM pgbouncer.get_auth($1)');
    expect(setting(ini, 'auth_type')).toBe('scram-sha-256');
    expect(setting(ini, 'auth_file')).toBe('/etc/pgbouncer/userlist.txt');
  });

  it('resets server connections with DISCARD ALL in session mode only', () => {
    expect(setting(pgbouncerIni({ ...base, poolMode: 'session' }), 'server_reset_query')).toBe('DISCARD ALL');
    expect(setting(pgbouncerIni({ ...base, poolMode: 'session' }), 'pool_mode')).toBe('session');
    expect(setting(pgbouncerIni(base), 'server_reset_query')).toBe('');
    expect(setting(pgbouncerIni(base), 'pool_mode')).toBe('transaction');
  });

  it('writes pool sizes, startup parameters and optional users and paths', () => {
    const ini = pgbouncerIni({
      ...base,
      listenAddr: '0.0.0.0',
      listenPort: 7432,
      defaultPoolSize: 5,
      maxClientConn: 50,
      maxDbConnections: 40,
      adminUsers: ['pgb_admin'],
      statsUsers: ['pgb_stats', 'pgb_monitor'],
      logfile: '/var/log/pgbouncer.log',
      pidfile: '/run/pgbouncer.pid',
      unixSocketDir: '',
    });
    expect(setting(ini, 'listen_addr')).toBe('0.0.0.0');
    expect(setting(ini, 'listen_port')).toBe('7432');
    expect(setting(ini, 'default_pool_size')).toBe('5');
    expect(setting(ini, 'max_client_conn')).toBe('50');
    expect(setting(ini, 'max_db_connections')).toBe('40');
    expect(setting(ini, 'admin_users')).toBe('pgb_admin');
    expect(setting(ini, 'stats_users')).toBe('pgb_stats,pgb_monitor');
    expect(setting(ini, 'ignore_startup_parameters')).toBe('extra_float_digits');
    expect(setting(ini, 'logfile')).toBe('/var/log/pgbouncer.log');
    expect(setting(ini, 'pidfile')).toBe('/run/pgbouncer.pid');
    expect(setting(ini, 'unix_socket_dir')).toBe('');
  });

  it('leaves out what was not asked for and never writes the password', () => {
    const ini = pgbouncerIni(base);
    for (const key of ['admin_users', 'stats_users', 'logfile', 'pidfile', 'unix_socket_dir', 'server_login_retry', 'query_wait_timeout']) {
      expect(setting(ini, key), key).toBeUndefined();
    }
    expect(ini).not.toContain('pgbouncer_auth_dev');
  });

  it.each<[string, Partial<Record<keyof PgBouncerInput, unknown>>]>([
    ['poolMode', { poolMode: 'statement' }],
    ['listenPort', { listenPort: 70_000 }],
    ['serverHost', { serverHost: 'db\nlisten_port = 1' }],
    ['authUser', { authUser: 'Robert"; DROP' }],
    ['authPassword', { authPassword: 'short' }],
    ['authFile', { authFile: 'relative/userlist.txt' }],
    ['authFile', { authFile: '/tmp/a\nauth_type = trust' }],
    ['authQuery', { authQuery: 'SELECT usename, passwd FROM pg_shadow' }],
    ['defaultPoolSize', { defaultPoolSize: 0 }],
    ['adminUsers.0', { adminUsers: ['no way'] }],
  ])('refuses a bad %s with a typed error naming the field', (field, change) => {
    const error = configError(() => pgbouncerIni({ ...base, ...change } as PgBouncerInput));
    expect(error.fields).toContain(field);
    expect(error.message).toContain(`${field}:`);
    expect(error.issues.length).toBeGreaterThan(0);
  });
});

describe('userlist', () => {
  it('quotes each entry and doubles a double quote', () => {
    expect(userlist([{ user: 'pgbouncer_auth', password: 'a"b' }])).toBe('"pgbouncer_auth" "a""b"\n');
  });

  it('holds only the auth user for a generator input', () => {
    expect(pgbouncerUserlist(base)).toBe('"pgbouncer_auth" "pgbouncer_auth_dev"\n');
  });

  it('needs the auth password, which the ini alone does not', () => {
    const { authPassword: _omitted, ...withoutPassword } = base;
    expect(() => pgbouncerIni(withoutPassword)).not.toThrow();
    const error = configError(() => pgbouncerUserlist(withoutPassword));
    expect(error.fields).toEqual(['authPassword']);
    expect(error.message).toContain('authPassword: is required');
  });

  it('refuses a line break in a password', () => {
    expect(configError(() => userlist([{ user: 'x_user', password: 'a\n"evil" "pw"' }])).fields).toEqual(['0.password']);
  });
});

describe('authSetupSql', () => {
  const statements = authSetupSql({ authPassword: 'pgbouncer_auth_dev' });

  it('creates the role from a SCRAM verifier, never from the plain password', () => {
    const text = statements.join('\n');
    expect(text).not.toContain('pgbouncer_auth_dev');
    expect(text).toMatch(/'SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+'/);
    expect(text).toContain(`format('CREATE ROLE %I LOGIN`);
    expect(text).toContain('EXCEPTION WHEN duplicate_object');
  });

  it('defines a SECURITY DEFINER lookup that refuses superusers and NOLOGIN roles', () => {
    const fn = statements.find((statement) => statement.includes('CREATE OR REPLACE FUNCTION pgbouncer.get_auth(p_usename text)'));
    expect(fn).toBeDefined();
    expect(fn).toContain('SECURITY DEFINER');
    expect(fn).toContain('SET search_path = pg_catalog, pg_temp');
    expect(fn).toMatch(/AND a\.rolcanlogin\s+AND NOT a\.rolsuper/);
  });

  it('grants EXECUTE only to the auth role', () => {
    const text = statements.join('\n');
    expect(text).toContain(`format('REVOKE ALL ON FUNCTION %I.%I(text) FROM PUBLIC'`);
    expect(text).toContain(`format('GRANT EXECUTE ON FUNCTION %I.%I(text) TO %I', 'pgbouncer', 'get_auth', 'pgbouncer_auth')`);
  });

  it('refuses a role name that is not a plain identifier', () => {
    expect(configError(() => authSetupSql({ authUser: "x'; DROP ROLE postgres; --", authPassword: 'pgbouncer_auth_dev' })).fields).toEqual(['authUser']);
  });
});

describe('scram verifier', () => {
  it('matches the password it was made from, and only that one', () => {
    const stored = scramVerifier('s3cret-password');
    expect(passwordMatches(stored, 'anyone', 's3cret-password')).toBe(true);
    expect(passwordMatches(stored, 'anyone', 's3cret-passwore')).toBe(false);
    expect(passwordMatches(null, 'anyone', 's3cret-password')).toBe(false);
  });

  it('checks md5 hashes salted with the role name', () => {
    // PostgreSQL stores 'md5' || md5(password || role name)
    const md5 = `md5${createHash('md5').update('secretalice').digest('hex')}`;
    expect(passwordMatches(md5, 'alice', 'secret')).toBe(true);
    expect(passwordMatches(md5, 'bob', 'secret')).toBe(false);
  });
});

describe('explainPgBouncerLoginError', () => {
  const attempt = { user: 'app_user', database: 'tenant_db' };
  it.each([
    ['SASL authentication failed', 'wrong-password', /wrong password for role "app_user"/],
    ['no such user', 'unknown-role', /no role "app_user" in database "tenant_db"/],
    ['bouncer config error', 'auth-query-failed', /run installPgBouncerAuth in that database/],
    ['unsupported startup parameter: options', 'startup-parameter', /ignoreStartupParameters/],
    ['connect ECONNREFUSED 127.0.0.1:6432', 'unreachable', /Cannot reach PgBouncer .*ECONNREFUSED/],
    ['timeout expired', 'timeout', /database "tenant_db" does not exist/],
  ])('turns "%s" into %s', (message, reason, explained) => {
    const error = explainPgBouncerLoginError(new Error(message), attempt);
    expect(error).toBeInstanceOf(PgBouncerLoginError);
    expect(error).toMatchObject({ reason, user: 'app_user', database: 'tenant_db' });
    expect((error as Error).message).toMatch(explained);
  });

  it('passes other errors through unchanged', () => {
    const original = new Error('relation "x" does not exist');
    expect(explainPgBouncerLoginError(original, attempt)).toBe(original);
  });
});

describe('poolerFromSetting (TENANCY_POOLER)', () => {
  it('maps every setting to the createTenancy pooler option, with the auth password only when given', () => {
    expect(POOLER_SETTINGS.map((value) => poolerFromSetting(value))).toEqual([
      { kind: 'direct' },
      { kind: 'pgbouncer', mode: 'session' },
      { kind: 'pgbouncer', mode: 'transaction' },
    ]);
    expect(poolerFromSetting('pgbouncer-transaction', 'secret-password')).toEqual({ kind: 'pgbouncer', mode: 'transaction', authPassword: 'secret-password' });
    // A direct connection has no PgBouncer to grant anything to.
    expect(poolerFromSetting('direct', 'secret-password')).toEqual({ kind: 'direct' });
  });
});
