import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import type { ArchiveManifest } from '../archive/manifest';
import { countRows, loadArchive, tableChecksum, verifyLoaded } from '../archive/load';
import { MOVE_LOCK_PREFIX } from '../catalog/sql';
import { STRATEGIES, type StrategyName, type Tenant } from '../catalog/types';
import { MigrationError, ServerNotOpenError, StrategyNotSupportedError, TenancyConfigError, TenantNotActiveError } from '../errors';
import type { Parts } from '../parts';
import { explainUnreachable, nameUnreachable } from '../servers/unreachable';
import { catchUp } from './catch-up';
import { moveLeftovers } from './move-leftovers';
import { quoteIdent } from '../sql/ident';

export type MoveStep = 'copy' | 'pause' | 'catch-up' | 'switch' | 'cleanup' | 'done';

export interface MoveProgress {
  step: MoveStep;
  tenant: string;
  from: StrategyName;
  to: StrategyName;
  /** The servers it moves from and to (the same for a change of strategy on one server). */
  fromServer: string;
  toServer: string;
  /** Rows copied so far (the whole tenant after each copy). */
  rows: number;
  /** Set from the switch on: how long the tenant's requests were held. */
  pauseMs?: number;
}

export interface MoveOptions {
  onProgress?: (progress: MoveProgress) => void;
  /** Where the move's intermediate archive is written; the system's temporary directory by default. */
  workDir?: string;
}

/** Where moveTenant takes a tenant: a strategy, a server, or both (what is left out stays as it is). */
export interface MoveTarget {
  strategy?: StrategyName;
  server?: string;
}

export interface MoveSummary {
  tenant: Tenant;
  from: StrategyName;
  to: StrategyName;
  fromServer: string;
  toServer: string;
  rows: number;
  /** How long the tenant's requests waited: from marking it `moving` to the switch. */
  pauseMs: number;
  /** Whether writes made during the copy had to be carried over under the pause. */
  caughtUp: boolean;
  /** Whether carrying them over row by row did not check out, so the tenant was copied again under the pause. */
  recopied: boolean;
  ms: number;
}

/**
 * Moving a tenant between placements online:
 *
 * 1. copy: the new placement is provisioned and filled from a snapshot while the tenant serves;
 * 2. pause: the tenant is marked `moving`, so requests wait instead of running; the move waits out
 *    other processes' catalog caches and every transaction that began before, so nothing writes
 *    to the old placement any more;
 * 3. catch-up: when the source's rows no longer match the snapshot's checksums, the rows that changed
 *    are carried over by primary key, and the copy must then match the source's checksums (else it
 *    is made again from the source, whose rows cannot change now);
 * 4. switch: one catalog update points the tenant at the new placement and ends the pause;
 * 5. cleanup: the old placement goes.
 *
 * Until the switch the catalog names the old placement, so a failure leaves the tenant there (a
 * failure in the pause ends the pause, and so does the death of the mover's process: the lookup
 * sees its session lock gone); a rerun of the same call starts again from the copy, and
 * moveTenant(key, <its current strategy>) removes what an abandoned move left.
 */
export function tenantMoves(parts: Parts, archive: (tenant: Tenant, file: string) => Promise<ArchiveManifest>) {
  const { config, deployment, catalog, servers } = parts;
  const strategyOf = (tenant: Tenant) => servers.strategyOf(tenant);
  const { placed, keeps, undo } = moveLeftovers(parts);

  /**
   * Fills `target` with the source's rows as of one snapshot, replacing whatever an earlier attempt put
   * there. Returns that snapshot's manifest: the load has checked the target holds exactly its rows.
   */
  async function copy(source: Tenant, target: Tenant, workDir: string): Promise<ArchiveManifest> {
    const file = path.join(workDir, `${source.id}.tar.gz`);
    const manifest = await archive(source, file);
    await strategyOf(target).inPlacement(target, async (client) => {
      await clearRows(client, target, config.tenantTables);
      await loadArchive(client, file, manifest, {
        tenantId: target.id,
        schema: target.schemaName,
        tables: config.tenantTables,
        migrations: deployment.migrations,
      });
      await verifyLoaded(client, file, manifest, target.schemaName, false);
    });
    await rm(file, { force: true });
    return manifest;
  }

  /** Per table, the checksum of the tenant's rows over the manifest's columns, and how many rows it has. */
  async function checksumsOf(tenant: Tenant, manifest: ArchiveManifest): Promise<{ sums: string[]; rows: number }> {
    return strategyOf(tenant).inPlacement(
      tenant,
      async (client) => {
        const sums: string[] = [];
        for (const table of manifest.tables) sums.push(await tableChecksum(client, tenant.schemaName, table.name, table.columns));
        const counts = await countRows(
          client,
          tenant.schemaName,
          manifest.tables.map((t) => t.name),
        );
        return { sums, rows: Object.values(counts).reduce((a, b) => a + b, 0) };
      },
      { snapshot: true },
    );
  }

  /**
   * Brings the copy level with a source that no longer changes: row by row when that checks out against
   * the source's checksums, else by copying everything again (which checks itself). Returns the rows.
   */
  async function carryOver(
    source: Tenant,
    target: Tenant,
    manifest: ArchiveManifest,
    workDir: string,
    now: string[],
  ): Promise<{ rows: number; recopied: boolean }> {
    try {
      await catchUp((tenant, fn, options) => strategyOf(tenant).inPlacement(tenant, fn, options), source, target, manifest);
      const copied = await checksumsOf(target, manifest);
      if (copied.sums.join() === now.join()) return { rows: copied.rows, recopied: false };
    } catch {
      // Whatever stopped the row-by-row catch-up, a whole copy replaces it.
    }
    return { rows: total(await copy(source, target, workDir)), recopied: true };
  }

  /**
   * Waits until no transaction that may have routed to the old placement is still open: other
   * processes trust their cached entry for catalogCacheMs after the mark, and a transaction begun
   * before then may still write. Reads pg_stat_activity of the database the placement is in. `markedAt`: the source
   * server's clock just after the mark (its text); the fence, catalogCacheMs later, is computed there too, on the clock
   * its transactions' start times are read against.
   */
  async function drain(tenant: Tenant, markedAt: string): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, config.catalogCacheMs));
    const deadline = Date.now() + config.movePauseLimitMs;
    const source = servers.get(tenant.server).deployment;
    const database = tenant.databaseName;
    const query = async (client: pg.ClientBase) => {
      const { rows } = await client.query<{ open: number }>(
        `SELECT count(*)::int AS open FROM pg_catalog.pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            AND xact_start < $1::timestamptz + $2 * interval '1 millisecond'`,
        [markedAt, config.catalogCacheMs],
      );
      return rows[0]!.open;
    };
    for (;;) {
      const open = database ? await source.adminClientFor(database, query) : await source.withAdmin(query);
      if (open === 0) return;
      if (Date.now() > deadline)
        throw new TenantNotActiveError(
          tenant.slug,
          `still in use by ${open} transaction(s) older than the pause after ${config.movePauseLimitMs} ms; the move was abandoned`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Moves a tenant to another strategy (`moveTenant(key, 'database')`), another server (`{ server: 'b' }`), or both
   * (`{ strategy: 'schema', server: 'b' }`), online.
   */
  async function moveTenant(key: string, where: StrategyName | MoveTarget, options: MoveOptions = {}): Promise<MoveSummary> {
    const target = typeof where === 'string' ? { strategy: where } : where;
    if (typeof target !== 'object' || target === null) throw new TenancyConfigError('moveTenant: say where to, a strategy or { strategy?, server? }');
    if (target.strategy !== undefined && !STRATEGIES.includes(target.strategy)) {
      throw new TenancyConfigError(`moveTenant: strategy must be one of ${STRATEGIES.join(', ')}`);
    }
    if (target.server !== undefined) servers.get(target.server);
    const tenant = await catalog.fresh(key, deployment.admin());
    // One move of a tenant at a time, across processes. A session lock: it dies with a killed mover,
    // so whoever holds it next knows any earlier move of the tenant is over.
    return deployment.withAdmin(async (lock) => {
      const name = `${MOVE_LOCK_PREFIX}${tenant.id}`;
      const { rows } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [name]);
      if (!rows[0]?.ok) throw new TenantNotActiveError(tenant.slug, 'being moved by another call');
      try {
        return await move(tenant.id, target, options);
      } catch (error) {
        // A server that died in the middle (the checks at the start name one that was down already): named.
        const involved = [...new Set([tenant.server, target.server ?? tenant.server, servers.primary.name])].map((name) => servers.get(name));
        throw await nameUnreachable(error, involved);
      } finally {
        await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
      }
    });
  }

  async function move(key: string, where: MoveTarget, options: MoveOptions): Promise<MoveSummary> {
    const started = Date.now();
    let tenant = await catalog.fresh(key, deployment.admin());
    // A move that died in its pause left the tenant `moving`: the rerun ends that pause, then starts again.
    if (tenant.status === 'moving') tenant = await catalog.update(tenant.id, { status: 'active' });
    if (tenant.status !== 'active') throw new TenantNotActiveError(tenant.slug, tenant.status);
    const from = tenant.strategy;
    const to = where.strategy ?? from;
    const fromServer = tenant.server;
    // Left out, the server stays; an rls tenant-to-be leaves one without shared tables for the primary.
    const toServer = where.server ?? (to === 'rls' && !servers.get(fromServer).sharedTables ? servers.primary.name : fromServer);
    const report = (step: MoveStep, rows: number, pauseMs?: number) =>
      options.onProgress?.({ step, tenant: tenant.slug, from, to, fromServer, toServer, rows, ...(pauseMs === undefined ? {} : { pauseMs }) });
    const done = { from, to, fromServer, toServer };
    if (from === to && fromServer === toServer) {
      await undo(tenant);
      return { tenant, ...done, rows: 0, pauseMs: 0, caughtUp: false, recopied: false, ms: Date.now() - started };
    }
    if (toServer !== fromServer) {
      await assertOpen(toServer);
      await assertReachable(toServer);
    }
    await assertCanDrain(fromServer);
    if (tenant.schemaVersion !== deployment.latestMigration) {
      throw new MigrationError(`Tenant "${tenant.slug}" is at ${tenant.schemaVersion}, not ${deployment.latestMigration}: run migrate() before moving it.`);
    }
    const target = placed(tenant, to, toServer);
    const workDir = await mkdtemp(path.join(options.workDir ?? os.tmpdir(), 'tenancy-move-'));
    try {
      await deployment.step('move.copy', tenant);
      report('copy', 0);
      const version = await strategyOf(target).provision(target);
      const manifest = await copy(tenant, target, workDir);
      let rows = total(manifest);
      report('copy', rows);

      await deployment.step('move.pause', tenant);
      const markedAt = Date.now();
      tenant = await catalog.update(tenant.id, { status: 'moving' });
      report('pause', rows);
      let caughtUp = false;
      let recopied = false;
      try {
        await drain(tenant, await serverClock(fromServer));
        await deployment.step('move.catch-up', tenant);
        // Nothing writes to the source any more. If it changed since the copy's snapshot, carry the changes over.
        const now = await checksumsOf(tenant, manifest);
        if (now.sums.some((sum, i) => sum !== manifest.tables[i]!.sha256)) {
          caughtUp = true;
          ({ rows, recopied } = await carryOver(tenant, target, manifest, workDir, now.sums));
          report('catch-up', rows);
        }
        await deployment.step('move.switch', tenant);
      } catch (error) {
        // Nothing has switched: the tenant goes back to serving from where it is.
        await catalog.update(tenant.id, { status: 'active' });
        throw error;
      }
      const moved = await catalog.relocate(tenant.id, to, toServer, target, version);
      const pauseMs = Date.now() - markedAt;
      report('switch', rows, pauseMs);

      await deployment.step('move.cleanup', moved);
      report('cleanup', rows, pauseMs);
      await strategyOf(tenant).destroy(tenant, keeps(tenant, target));
      report('done', rows, pauseMs);
      return { tenant: moved, ...done, rows, pauseMs, caughtUp, recopied, ms: Date.now() - started };
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /** A server's clock: a fence its transactions' start times can be compared with. */
  async function serverClock(server: string): Promise<string> {
    // As text, which no type parser the app sets for timestamptz (pg.types is global) can turn into something else.
    const { rows } = await servers.get(server).deployment.admin().query<{ now: string }>('SELECT clock_timestamp()::text AS now');
    return rows[0]!.now;
  }

  /** A drained or read-only server takes no tenant, new or moved. */
  async function assertOpen(server: string): Promise<void> {
    const state = (await catalog.serverStates()).get(server) ?? 'open';
    if (state !== 'open') throw new ServerNotOpenError(server, state);
  }

  /**
   * A target server that does not answer fails the move before anything is made for it (a database tenant's
   * provisioning would otherwise store a password first), as ServerUnavailableError naming it.
   */
  async function assertReachable(server: string): Promise<void> {
    await onServer(server, 'SELECT 1');
  }

  /** A statement on a server's admin connection; a server that does not answer is ServerUnavailableError naming it. */
  async function onServer<R extends pg.QueryResultRow>(server: string, text: string): Promise<R[]> {
    try {
      return (await servers.get(server).deployment.admin().query<R>(text)).rows;
    } catch (error) {
      throw explainUnreachable(error, server);
    }
  }

  /** The drain reads other sessions' transactions: without the right to, it would see none and wait for none. */
  async function assertCanDrain(server: string): Promise<void> {
    const rows = await onServer<{ ok: boolean }>(
      server,
      `SELECT rolsuper OR pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS ok FROM pg_roles WHERE rolname = current_user`,
    );
    if (!rows[0]?.ok) {
      throw new StrategyNotSupportedError(
        "moveTenant needs adminUrl's role to see every session's transactions in pg_stat_activity: make it a superuser or grant it pg_read_all_stats.",
      );
    }
  }

  return { moveTenant };
}

/**
 * Empties the tenant's tables, children first: an earlier copy. Its context already limits the delete to
 * its rows; the explicit filter lets the planner use the tenant's index in shared tables.
 */
async function clearRows(client: pg.ClientBase, tenant: Tenant, tables: readonly string[]): Promise<void> {
  for (const table of tables) await client.query(`DELETE FROM ${quoteIdent(tenant.schemaName)}.${quoteIdent(table)} WHERE tenant_id = $1`, [tenant.id]);
}

function total(manifest: ArchiveManifest): number {
  return manifest.tables.reduce((sum, t) => sum + t.rows, 0);
}
