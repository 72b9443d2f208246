import path from 'node:path';
import { createAppTenancy, type AppTenancy } from '@repo/db/tenancy';
import type { StrategyName } from '@repo/tenancy';
import type { LifecycleCall } from '@repo/tenancy/test-processes';
import { measure } from './kill';
import { migrationsWith } from './migrations';
import { catalogState, runRound, type Round, type Setting } from './round';
import { countWrites, startWriter, WRITER_USER } from './writer';

export const STRATEGIES: readonly StrategyName[] = ['rls', 'schema', 'database'];
/** A tenant moved rls -> schema -> database -> rls -> database -> schema -> rls ... makes every pair of strategies. */
const MOVE_CYCLE: readonly StrategyName[] = ['schema', 'database', 'rls', 'database', 'schema', 'rls'];

/** Wall times of uninterrupted runs, by label: each is measured once, by a first run that is not killed. */
type Measured = Map<string, number>;

async function seed(tenancy: AppTenancy, slug: string, rows: number): Promise<void> {
  await tenancy.withTenant(slug, (tx) => tx.query(`insert into projects (name) select 'seed ' || g from generate_series(1, $1::int) g`, [rows]), {
    role: 'admin',
    userId: WRITER_USER,
  });
}

async function drop(tenancy: AppTenancy, slug: string): Promise<void> {
  if ((await catalogState(tenancy, slug)) !== 'absent') await tenancy.deleteTenant(slug, { archive: false });
}

async function projects(tenancy: AppTenancy, slug: string): Promise<number> {
  return (await tenancy.queryAs<{ n: number }>(slug, `select count(*)::int as n from projects where starts_with(name, 'seed ')`)).rows[0]!.n;
}

/** createTenant of `strategy`, killed and rerun. */
export async function createRound(s: Setting, measured: Measured, i: number, strategy: StrategyName, plant?: (slug: string) => Promise<void>): Promise<Round> {
  const label = `create-${strategy}`;
  if (!measured.has(label)) {
    const slug = `crm_${strategy}`;
    measured.set(label, await measure(s.children, { op: 'create', slug, strategy }));
    await drop(s.tenancy, slug);
  }
  const slug = `cr_${i}`;
  const round = await runRound(s, {
    command: 'createTenant',
    label,
    call: { op: 'create', slug, strategy },
    measuredMs: measured.get(label)!,
    slugs: [slug],
    state: () => catalogState(s.tenancy, slug),
    ...(plant ? { plant: () => plant(slug) } : {}),
  });
  await drop(s.tenancy, slug);
  return round;
}

export const IMPORT_SOURCE = 'imp_src';
export const IMPORT_ROWS = 30;

/** The archive every import round reads: a schema tenant of IMPORT_ROWS projects, exported once. */
export async function importSource(s: Setting, workDir: string): Promise<string> {
  await s.tenancy.createTenant({ slug: IMPORT_SOURCE, name: 'Import source', strategy: 'schema' });
  await seed(s.tenancy, IMPORT_SOURCE, IMPORT_ROWS);
  const file = path.join(workDir, 'import-source.tar.gz');
  await s.tenancy.exportTenant(IMPORT_SOURCE, file);
  return file;
}

/** importTenant of the archive into `strategy`, killed and rerun; the imported tenant must hold the archive's rows. */
export async function importRound(s: Setting, measured: Measured, i: number, strategy: StrategyName, file: string): Promise<Round> {
  const label = `import-${strategy}`;
  const call = (slug: string): LifecycleCall => ({ op: 'import', file, slug, strategy });
  if (!measured.has(label)) {
    measured.set(label, await measure(s.children, call(`imm_${strategy}`)));
    await drop(s.tenancy, `imm_${strategy}`);
  }
  const slug = `im_${i}`;
  const round = await runRound(s, {
    command: 'importTenant',
    label,
    call: call(slug),
    measuredMs: measured.get(label)!,
    slugs: [slug],
    state: () => catalogState(s.tenancy, slug),
    verify: async () => {
      const n = await projects(s.tenancy, slug);
      return n === IMPORT_ROWS ? [] : [`${slug} holds ${n} of the archive's ${IMPORT_ROWS} projects`];
    },
  });
  await drop(s.tenancy, slug);
  return round;
}

const MOVE_ROWS = 20;
export const MOVER = 'mover';

/**
 * One tenant, moved from strategy to strategy round after round while a writer keeps writing to it: each round kills a
 * move and reruns it; every write acknowledged so far must be there, once. The first move of each pair is measured
 * uninterrupted.
 */
export class MoveChain {
  private moves = 0;
  private strategy: StrategyName = 'rls';

  private constructor(private readonly writer: ReturnType<typeof startWriter>) {}

  static async start(s: Setting): Promise<MoveChain> {
    await s.tenancy.createTenant({ slug: MOVER, name: 'Mover', strategy: 'rls' });
    await seed(s.tenancy, MOVER, MOVE_ROWS);
    const writer = startWriter(s.tenancy, MOVER, 'w');
    await writer.warmed(3);
    return new MoveChain(writer);
  }

  private next(): [StrategyName, StrategyName] {
    return [this.strategy, MOVE_CYCLE[this.moves % MOVE_CYCLE.length]!];
  }

  /** `fakeAck`: counts one acknowledgement of a write never made, and makes one acknowledged write twice (planted faults). */
  async round(s: Setting, measured: Measured, fakeAck = false): Promise<Round> {
    let [from, to] = this.next();
    if (!measured.has(`move-${from}-${to}`)) {
      measured.set(`move-${from}-${to}`, await measure(s.children, { op: 'move', slug: MOVER, strategy: to }));
      this.moves++;
      this.strategy = to;
      [from, to] = this.next();
    }
    const label = `move-${from}-${to}`;
    const round = await runRound(s, {
      command: 'moveTenant',
      label,
      call: { op: 'move', slug: MOVER, strategy: to },
      measuredMs: measured.get(label) ?? Math.max(...measured.values()),
      slugs: [MOVER],
      state: () => catalogState(s.tenancy, MOVER, true),
      verify: async () => {
        const tenant = await s.tenancy.getTenant(MOVER);
        const n = await projects(s.tenancy, MOVER);
        return [
          ...(tenant.strategy === to ? [] : [`${MOVER} is ${tenant.strategy}, not ${to}`]),
          ...(n === MOVE_ROWS ? [] : [`${MOVER} holds ${n} of its ${MOVE_ROWS} seed projects`]),
        ];
      },
    });
    this.moves++;
    this.strategy = (await s.tenancy.getTenant(MOVER)).strategy;
    const writes = this.writer.snapshot();
    if (fakeAck) {
      writes.acknowledged.push(1_000_000_000);
      // And one acknowledged write made twice.
      await s.tenancy.withTenant(MOVER, (tx) => tx.query('insert into projects (name) values ($1)', [`${writes.tag} ${writes.acknowledged[0]}`]), {
        role: 'admin',
        userId: WRITER_USER,
      });
    }
    round.writes = { acknowledged: writes.acknowledged.length, failed: writes.failed, ...(await countWrites(s.tenancy, MOVER, writes)) };
    return round;
  }

  async stop(s: Setting): Promise<void> {
    await this.writer.stop();
    await drop(s.tenancy, MOVER);
  }
}

export const MIGRATE_TENANTS = 2;

/** The tenants every migrate() round brings one column further: MIGRATE_TENANTS per strategy, with rows. */
export async function migrateTenants(s: Setting): Promise<string[]> {
  const slugs: string[] = [];
  for (const strategy of STRATEGIES) {
    for (let j = 0; j < MIGRATE_TENANTS; j++) {
      const slug = `mg_${strategy}_${j}`;
      await s.tenancy.createTenant({ slug, name: slug, strategy });
      await seed(s.tenancy, slug, 10);
      slugs.push(slug);
    }
  }
  return slugs;
}

/**
 * migrate() with `extra` additive migrations (one more than the last round), killed and rerun; checked by a tenancy that
 * reads the same folder. `measuredMs`: undefined for the first, uninterrupted, run, whose time the next rounds use.
 */
export async function migrateRound(
  s: Setting,
  urls: { adminUrl: string; appUrl: string; contextSecret: string },
  workDir: string,
  extra: number,
  slugs: string[],
  measuredMs: number,
): Promise<Round> {
  const { folder, latest } = migrationsWith(workDir, extra);
  const { secrets, namePrefix, catalogCacheMs } = s.tenancy.config;
  const checker = createAppTenancy({
    adminUrl: urls.adminUrl,
    appUrl: urls.appUrl,
    contextSecret: urls.contextSecret,
    secrets,
    namePrefix,
    catalogCacheMs,
    migrationsFolder: folder,
  });
  try {
    return await runRound(s, {
      command: 'migrate',
      label: 'migrate',
      call: { op: 'migrate', concurrency: 2 },
      childOptions: { migrationsFolder: folder },
      measuredMs,
      slugs,
      checker,
      state: async () => {
        const tenants = await checker.listTenants();
        return `${tenants.filter((t) => t.schemaVersion === latest).length} of ${tenants.length} at the new version`;
      },
      verify: async () => {
        const behind = (await checker.listTenants()).filter((t) => t.schemaVersion !== latest).map((t) => `${t.slug} at ${t.schemaVersion}`);
        for (const slug of slugs) {
          const { rows } = await checker.queryAs<{ v: number }>(slug, `select min(crash_${extra})::int as v from projects`);
          if (rows[0]!.v !== extra) behind.push(`${slug}: crash_${extra} is ${rows[0]!.v}`);
        }
        return behind;
      },
    });
  } finally {
    await checker.close();
  }
}

/** The first migrate() run, uninterrupted: its time in its process. */
export async function measureMigrate(s: Setting, workDir: string): Promise<number> {
  const { folder } = migrationsWith(workDir, 1);
  return measure(s.children, { op: 'migrate', concurrency: 2 }, { migrationsFolder: folder });
}
