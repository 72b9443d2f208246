import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { INIT_SQL_DEFAULTS } from '@repo/db/init-sql';
import { createTestDatabase, type TestDatabase } from '@repo/localdb/harness';
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';

/** The real bin, as `npx tenancy` runs it. */
export const BIN = fileURLToPath(new URL('../bin/tenancy.mjs', import.meta.url));

export const CONTEXT_SECRET = 'cli-test-context-secret-0123456789-abcdefgh';
export const SECRETS_KEY = 'cli-test-secrets-key-0123456789-abcdefghijkl';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the bin in a child process with exactly `env` (and PATH, HOME for node itself): nothing leaks in from the
 * test runner's environment. stdin is a pipe, so the CLI is never interactive here.
 */
export function runCli(args: readonly string[], env: Record<string, string | undefined> = {}, options: { input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: os.tmpdir(), NODE_ENV: 'test', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** The stdout of a --json run, parsed; fails the test with the run's stderr when it is not JSON. */
export function json<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

export function roleUrl(databaseUrl: string, role: string, password: string): string {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = password;
  return url.toString();
}

/** The admin app's variables for a suite database: the roles init.sql creates, a context secret of the suite's own. */
export function deploymentEnv(db: TestDatabase): Record<string, string> {
  return {
    ADMIN_DATABASE_URL: db.url,
    DATABASE_URL: roleUrl(db.url, 'app_user', INIT_SQL_DEFAULTS.appPassword),
    OPERATOR_DATABASE_URL: roleUrl(db.url, 'app_operator', INIT_SQL_DEFAULTS.operatorPassword),
    TENANCY_CONTEXT_SECRET: CONTEXT_SECRET,
    TENANCY_SECRETS_KEY: SECRETS_KEY,
  };
}

export interface CliSuite {
  db: TestDatabase;
  env: Record<string, string>;
  /** Superuser pool on the suite's database: for arranging fixtures and reading what really landed, never for the checks' subject. */
  admin: pg.Pool;
  /** A fresh directory for archives and generated files. */
  dir: string;
  /** The bin with the suite's environment (and `extra` on top). */
  cli(args: readonly string[], extra?: Record<string, string | undefined>, options?: { input?: string }): Promise<CliResult>;
  /** A slug unique to this run: tenant databases and roles are named after it across the whole server. */
  slug(base: string): string;
}

/** A fresh database per suite, set up by the CLI itself (`tenancy setup`); afterwards the tenants' server-wide objects go. */
export function useCliSuite(label: string): () => CliSuite {
  let suite: CliSuite | undefined;
  const run = Math.random().toString(36).slice(2, 6);
  const slugs: string[] = [];
  beforeAll(async () => {
    const db = await createTestDatabase(label);
    const env = deploymentEnv(db);
    const admin = new pg.Pool({ connectionString: db.url, max: 2 });
    // The drop (WITH FORCE) at the end may terminate an idle connection: not an error of the test.
    admin.on('error', () => undefined);
    suite = {
      db,
      env,
      admin,
      dir: mkdtempSync(path.join(os.tmpdir(), `cli-${label}-`)),
      cli: (args, extra = {}, options) => runCli(args, { ...env, ...extra }, options),
      slug: (base) => {
        const slug = `${base}_${run}`;
        slugs.push(slug);
        return slug;
      },
    };
    const setup = await suite.cli(['setup']);
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
  });
  afterAll(async () => {
    if (!suite) return;
    await suite.admin.end();
    await suite.db.drop();
    await dropServerObjects(
      suite.db,
      slugs.map((slug) => `t_${slug}`),
    );
  });
  return () => {
    if (!suite) throw new Error('useCliSuite(): available only after beforeAll');
    return suite;
  };
}

/** Tenant databases and roles outlive the suite's database: those of this run's slugs are dropped. */
async function dropServerObjects(db: TestDatabase, names: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: db.serverUrl() });
  await client.connect();
  try {
    for (const name of names) {
      await client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
      await client.query(`drop role if exists ${pg.escapeIdentifier(name)}`);
    }
  } finally {
    await client.end();
  }
}
