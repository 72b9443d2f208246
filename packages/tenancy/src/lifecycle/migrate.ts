import type { Tenant } from '../catalog/types';
import { applyMigrations } from '../migrations/apply';
import type { Parts } from '../parts';
import { explainUnreachable } from '../servers/unreachable';

export interface MigrateProgress {
  /** null for the deployment's shared parts (shared tables, templates). */
  tenant: Tenant | null;
  placement: string;
  status: 'done' | 'failed';
  version: string | null;
  error?: Error;
  /** The placement was confirmed current by the fast path's batch check, so no transaction was opened for it. */
  upToDate?: boolean;
  /** How many of `total` targets are finished (done or failed). */
  completed: number;
  total: number;
}

export interface MigrateOptions {
  /** Tenants migrated at once; each holds one lock of its own, never a global one. */
  concurrency?: number;
  onProgress?: (progress: MigrateProgress) => void;
  /**
   * Migrate this many tenants first (those with work to do, in catalog order); if any of them fails,
   * stop there and leave every other tenant untouched. The shared tables and the templates run the
   * same migrations before any tenant, so in canary mode their failure stops the run too.
   */
  canary?: number;
  /**
   * Confirm which placements are already current in a few statements per database and migrate
   * only the others (default true). false opens every tenant's migration transaction, which also
   * re-grants and re-pins what the check found in place.
   */
  fastPath?: boolean;
}

/** One failed target, as a line of a report: which tenant (null for shared parts), where, and why. */
export interface MigrateFailure {
  tenant: string | null;
  placement: string;
  message: string;
  /** The PostgreSQL error code (SQLSTATE) when the server refused, else null. */
  code: string | null;
}

export interface MigrateSummary {
  /** Targets finished without error, the upToDate ones included. */
  done: number;
  failed: MigrateProgress[];
  results: MigrateProgress[];
  /** Tenants the fast path confirmed current without opening their placement. */
  upToDate: number;
  /** The failed targets as plain lines (tenant, placement, message, code), ready to log or show. */
  failures: MigrateFailure[];
  /** A canary (or the shared tables or a template, in canary mode) failed, so the run stopped. */
  stoppedAfterCanary: boolean;
  /** Tenants a stopped run left untouched, in the order they would have run; the next run takes them. */
  notAttempted: Tenant[];
}

type Outcome = Omit<MigrateProgress, 'completed' | 'total'>;

/** One migrate() call's reports, in the order targets finish. */
class Run {
  readonly results: MigrateProgress[] = [];

  constructor(
    private readonly total: number,
    private readonly onProgress: MigrateOptions['onProgress'],
  ) {}

  report(outcome: Outcome): void {
    const progress = { ...outcome, completed: this.results.length + 1, total: this.total };
    this.results.push(progress);
    this.onProgress?.(progress);
  }

  /**
   * Runs one target's work on `server` and reports it; a failure is reported, never thrown, so the others go on. A
   * server that cannot be reached is reported as such (ServerUnavailableError), as requests report it.
   */
  async attempt(tenant: Tenant | null, placement: string, server: string, work: () => Promise<string | null>): Promise<boolean> {
    try {
      this.report({ tenant, placement, status: 'done', version: await work() });
      return true;
    } catch (error) {
      this.report({ tenant, placement, status: 'failed', version: null, error: explainUnreachable(error, server) as Error });
      return false;
    }
  }

  summary(stopped: { after: boolean; notAttempted: Tenant[] }): MigrateSummary {
    const failed = this.results.filter((r) => r.status === 'failed');
    return {
      done: this.results.length - failed.length,
      failed,
      results: this.results,
      upToDate: this.results.filter((r) => r.upToDate).length,
      failures: failed.map(toFailure),
      stoppedAfterCanary: stopped.after,
      notAttempted: stopped.notAttempted,
    };
  }
}

function toFailure(progress: MigrateProgress): MigrateFailure {
  const code = (progress.error as { code?: unknown } | undefined)?.code;
  return {
    tenant: progress.tenant?.slug ?? null,
    placement: progress.placement,
    message: progress.error?.message ?? 'unknown error',
    code: typeof code === 'string' ? code : null,
  };
}

/** The placement as progress names it: the schema or database, after its server when that is not the primary. */
function placementOf(parts: Parts, tenant: Tenant): string {
  const name = tenant.databaseName ?? tenant.schemaName;
  return tenant.server === parts.servers.primary.name ? name : `${tenant.server}:${name}`;
}

/**
 * Shared tables first, then the templates, then every tenant, `concurrency` at a time. Tenants the
 * fast path confirms current are reported without a transaction; a canary group goes before the
 * rest when asked. A tenant that fails is reported and the rest go on; each tenant records its own
 * version in its own placement, so a rerun after a failure or a crash resumes where this one stopped.
 */
export async function migrateAll(parts: Parts, options: MigrateOptions): Promise<MigrateSummary> {
  const canary = canarySize(options.canary);
  const tenants = (await parts.catalog.list()).filter((t) => t.status === 'active');
  const templates = parts.servers.all.flatMap((server) => Object.values(server.strategies).filter((s) => s.migrateTemplate));
  const run = new Run(parts.servers.withSharedTables.length + templates.length + tenants.length, options.onProgress);

  const sharedOk = await migrateSharedParts(parts, run, canary > 0);
  if (canary > 0 && !sharedOk) return run.summary({ after: true, notAttempted: tenants });
  const pending = options.fastPath === false ? tenants : await reportConfirmed(parts, run, tenants, concurrencyOf(options));
  const first = pending.slice(0, canary);
  const canaryOk = await migrateTenants(parts, run, first, concurrencyOf(options));
  if (canary > 0 && !canaryOk) return run.summary({ after: true, notAttempted: pending.slice(canary) });
  await migrateTenants(parts, run, pending.slice(canary), concurrencyOf(options));
  return run.summary({ after: false, notAttempted: [] });
}

function concurrencyOf(options: MigrateOptions): number {
  return Math.max(1, options.concurrency ?? 4);
}

function canarySize(canary: number | undefined): number {
  if (canary === undefined) return 0;
  if (!Number.isInteger(canary) || canary < 1) throw new RangeError(`migrate({ canary }) takes a whole number of tenants, at least 1 (got ${canary})`);
  return canary;
}

/**
 * The shared tables, then each strategy's template. True when all of them succeeded; in canary mode
 * the first failure ends it, since they run the same migrations as every tenant.
 */
async function migrateSharedParts(parts: Parts, run: Run, stopOnFailure: boolean): Promise<boolean> {
  const { deployment } = parts;
  const { sharedSchema } = deployment.config;
  // The shared tables on every server that holds them: the primary's, then each shard's.
  const targets: [string, string, () => Promise<string | null>][] = parts.servers.withSharedTables.map((server) => [
    server.primary ? `shared:${sharedSchema}` : `${server.name}:shared:${sharedSchema}`,
    server.name,
    () => server.deployment.withAdmin((client) => applyMigrations(client, parts.sharedTarget(server))),
  ]);
  for (const server of parts.servers.all) {
    for (const strategy of Object.values(server.strategies)) {
      if (!strategy.migrateTemplate) continue;
      targets.push([
        server.primary ? `template:${strategy.name}` : `${server.name}:template:${strategy.name}`,
        server.name,
        async () => {
          await strategy.migrateTemplate!();
          return deployment.latestMigration;
        },
      ]);
    }
  }
  let ok = true;
  for (const [placement, server, work] of targets) {
    ok = (await run.attempt(null, placement, server, work)) && ok;
    if (!ok && stopOnFailure) return false;
  }
  return ok;
}

/**
 * The fast path: each strategy confirms which of its tenants are current in a few statements; they
 * are reported done (the catalog corrected where it disagrees), and the rest are returned, in
 * catalog order, for a transaction each. A check or a catalog write that fails confirms nothing:
 * its tenants take the full path.
 */
async function reportConfirmed(parts: Parts, run: Run, tenants: readonly Tenant[], concurrency: number): Promise<Tenant[]> {
  const confirmed = new Map<string, string | null>();
  for (const server of parts.servers.all) {
    for (const strategy of Object.values(server.strategies)) {
      if (!strategy.confirmVersions) continue;
      const own = tenants.filter((t) => t.strategy === strategy.name && t.server === server.name);
      if (own.length === 0) continue;
      const versions = await strategy.confirmVersions(own, concurrency).catch(() => new Map<string, string | null>());
      for (const [id, version] of versions) confirmed.set(id, version);
    }
  }
  const byVersion = new Map<string | null, Tenant[]>();
  for (const tenant of tenants.filter((t) => confirmed.has(t.id))) {
    const version = confirmed.get(tenant.id) ?? null;
    byVersion.set(version, [...(byVersion.get(version) ?? []), tenant]);
  }
  for (const [version, group] of byVersion) {
    const recorded = await parts.catalog.recordVersion(group, version).then(
      () => true,
      () => false,
    );
    for (const tenant of group) {
      if (recorded) run.report({ tenant, placement: placementOf(parts, tenant), status: 'done', version, upToDate: true });
      else confirmed.delete(tenant.id);
    }
  }
  return tenants.filter((t) => !confirmed.has(t.id));
}

/** A transaction (or a few) per tenant, `concurrency` at a time. True when every one succeeded. */
async function migrateTenants(parts: Parts, run: Run, tenants: readonly Tenant[], concurrency: number): Promise<boolean> {
  const queue = [...tenants];
  let ok = true;
  const worker = async () => {
    for (let tenant = queue.shift(); tenant; tenant = queue.shift()) {
      const current = tenant;
      const done = await run.attempt(current, placementOf(parts, current), current.server, async () => {
        const version = await parts.servers.strategyOf(current).migrate(current);
        // Written only when it changed: each write bumps the catalog version every process's cache checks.
        await parts.catalog.recordVersion([current], version);
        return version;
      });
      ok &&= done;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
  return ok;
}
