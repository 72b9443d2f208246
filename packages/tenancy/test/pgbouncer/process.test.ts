import { existsSync } from 'node:fs';
import { PgBouncerNotFoundError, PgBouncerStartError, pgbouncerAvailable, requirePgBouncer, startPgBouncer } from '@repo/localdb/pgbouncer';
import { afterEach, describe, expect, it, vi } from 'vitest';

const MISSING = '/nonexistent/pgbouncer';
const NOT_FOUND_LINE = `pgbouncer not found at ${MISSING}: apt-get install -y pgbouncer, or set PGBOUNCER_PATH`;

describe('a missing pgbouncer binary', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('is reported in one line that says how to get it', async () => {
    vi.stubEnv('PGBOUNCER_PATH', MISSING);
    expect(pgbouncerAvailable()).toEqual({ ok: false, reason: NOT_FOUND_LINE });
    await expect(startPgBouncer({ ini: '', userlist: '' })).rejects.toThrow(PgBouncerNotFoundError);
    await expect(startPgBouncer({ ini: '', userlist: '' })).rejects.toThrow(NOT_FOUND_LINE);
  });

  it('fails a CI run', () => {
    vi.stubEnv('PGBOUNCER_PATH', MISSING);
    vi.stubEnv('CI', 'true');
    expect(() => requirePgBouncer()).toThrow(NOT_FOUND_LINE);
  });

  it('skips with the reason printed outside CI', () => {
    vi.stubEnv('PGBOUNCER_PATH', MISSING);
    vi.stubEnv('CI', '');
    // A skip staged by this test, not one of the run: npm test's summary must not report it.
    vi.stubEnv('TEST_SKIP_LEDGER', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(requirePgBouncer()).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(NOT_FOUND_LINE));
  });
});

describe.skipIf(!requirePgBouncer())('a pgbouncer that cannot start', () => {
  it("fails with pgbouncer's own reason and leaves nothing behind", async () => {
    let dir = '';
    const error = await startPgBouncer({
      ini: (runtime) => {
        dir = runtime.dir;
        return `[databases]\n* = host=127.0.0.1\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = ${runtime.port}\nauth_type = no-such-type\nauth_file = ${runtime.authFile}\nunix_socket_dir = ${runtime.socketDir}\n`;
      },
      userlist: '',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PgBouncerStartError);
    expect((error as Error).message).toMatch(/exited during start .*auth_type/);
    expect(existsSync(dir)).toBe(false);
  });
});
