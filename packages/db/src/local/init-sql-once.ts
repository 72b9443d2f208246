import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { closeMaintenanceDatabases } from '@repo/localdb/cluster';
import { DEV_DATABASE } from './config';
import { DevError } from './errors';
import type { DevPaths } from './paths';
import { withClient } from '../client';

interface Marker {
  appliedAt: string;
  initSqlSha256: string;
  /** pg_control_system().system_identifier: new with every initdb, so a marker left from a
   * deleted cluster never vouches for a new one. */
  clusterId: string;
}

export type InitOutcome = 'applied' | 'already-applied';

/**
 * Creates the `saas` database and applies init.sql to it, once per cluster; the marker file
 * remembers which cluster it was applied to. The same first start closes the cluster's `postgres`
 * and `template1` databases to PUBLIC: a database tenant's role connects to its own database only
 * (tenancy audit() checks it). A cluster initialised before this step keeps them open until
 * `REVOKE CONNECT ON DATABASE postgres FROM PUBLIC` (and template1) is run once as the superuser.
 */
export async function applyInitSqlOnce(paths: DevPaths, superuserUrl: (db: string) => string): Promise<InitOutcome> {
  const clusterId = await readClusterId(superuserUrl('postgres'));
  const marker = await readMarker(paths.initializedMarker);
  if (marker?.clusterId === clusterId) {
    await warnIfChanged(marker, paths);
    return 'already-applied';
  }
  const sql = await readInitSql(paths);
  const created = await createDatabaseIfMissing(superuserUrl('postgres'));
  try {
    await runScript(superuserUrl(DEV_DATABASE), sql, paths.initSql);
  } catch (error) {
    // Only a database this run created is dropped, so the next run retries from scratch.
    if (created) await dropDatabase(superuserUrl('postgres'));
    throw error;
  }
  await closeMaintenanceDatabases(superuserUrl('postgres'));
  const written: Marker = { appliedAt: new Date().toISOString(), initSqlSha256: sha256(sql), clusterId };
  await writeFile(paths.initializedMarker, `${JSON.stringify(written, null, 2)}\n`);
  return 'applied';
}

async function readInitSql(paths: DevPaths): Promise<string> {
  try {
    return await readFile(paths.initSql, 'utf8');
  } catch {
    throw new DevError(`${paths.initSql} not found: generate it with \`npm run db:init-sql\`, then run npm run dev again.`);
  }
}

async function readMarker(file: string): Promise<Marker | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Marker;
  } catch {
    return undefined;
  }
}

async function warnIfChanged(marker: Marker, paths: DevPaths): Promise<void> {
  const sql = await readFile(paths.initSql, 'utf8').catch(() => undefined);
  if (sql === undefined || marker.initSqlSha256 === sha256(sql)) return;
  const data = path.relative(paths.root, path.dirname(paths.initializedMarker));
  console.warn(
    `[dev] init.sql changed since this database was created (${marker.appliedAt}); to start from the new one, stop and delete ${data}/ (your dev data goes with it).`,
  );
}

async function readClusterId(maintenanceUrl: string): Promise<string> {
  return withClient(maintenanceUrl, async (client) => {
    const result = await client.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()');
    return result.rows[0]?.id ?? '';
  });
}

async function createDatabaseIfMissing(maintenanceUrl: string): Promise<boolean> {
  return withClient(maintenanceUrl, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DEV_DATABASE]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE ${DEV_DATABASE}`);
    return true;
  });
}

async function dropDatabase(maintenanceUrl: string): Promise<void> {
  await withClient(maintenanceUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${DEV_DATABASE} WITH (FORCE)`));
}

// One simple-protocol query runs the whole script like `psql -f` would, minus meta-commands;
// init.sql manages its own transaction.
async function runScript(url: string, sql: string, file: string): Promise<void> {
  try {
    await withClient(url, (client) => client.query(sql));
  } catch (error) {
    throw new DevError(`Applying ${file} failed${lineOf(sql, error)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function lineOf(sql: string, error: unknown): string {
  const position = Number((error as { position?: string }).position);
  if (!Number.isInteger(position) || position < 1) return '';
  return ` at line ${sql.slice(0, position - 1).split('\n').length}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
