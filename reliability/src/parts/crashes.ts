import path from 'node:path';
import { TENANT_MIGRATIONS_FOLDER } from '@repo/db/migrations';
import { CONTEXT_ROLES, TENANT_TABLES } from '@repo/db/schema';
import pg from 'pg';
import { Children } from '../crashes/children';
import { createRound, importRound, importSource, measureMigrate, migrateRound, migrateTenants, MoveChain, STRATEGIES } from '../crashes/commands';
import { CANARY, plantCanary } from '../crashes/inspect';
import type { Round, Setting } from '../crashes/round';
import { verdict } from '../crashes/verdict';
import { prepareDeployment, startServer } from '../harness/server';
import type { Check, Part, PartContext } from '../part';

/** Short enough that the movers' waits (they wait out other processes' catalog caches) stay short; every process uses it. */
const CATALOG_CACHE_MS = 250;

/**
 * createTenant (each strategy), moveTenant (between every pair, a writer on the tenant), importTenant (into each
 * strategy) and migrate (an additive migration over tenants of every strategy), each in a process of its own SIGKILLed
 * at a random moment of its run, then the same call rerun to completion in a fresh process.
 */
export const crashes: Part = {
  name: 'crashes',
  title: 'lifecycle calls killed (SIGKILL) at random moments, then rerun: audit() empty, nothing left over, no acknowledged write lost',
  requires: [],
  async run(ctx: PartContext): Promise<Check[]> {
    const kills = ctx.mode === 'short' ? 3 : 25;
    const server = await startServer(ctx.workDir);
    const { urls, tenancy } = await prepareDeployment(server, ctx.workDir, { catalogCacheMs: CATALOG_CACHE_MS });
    const secretsFile = path.join(ctx.workDir, 'secrets.json');
    const children = new Children({
      tenancy: {
        adminUrl: urls.adminUrl,
        appUrl: urls.appUrl,
        contextSecret: urls.contextSecret,
        migrationsFolder: TENANT_MIGRATIONS_FOLDER,
        tenantTables: [...TENANT_TABLES],
        contextRoles: { ...CONTEXT_ROLES },
        catalogCacheMs: CATALOG_CACHE_MS,
      },
      secretsFile,
    });
    const s: Setting = { tenancy, children, random: ctx.random, superuserUrl: server.url(), secretsFile, log: ctx.log };
    const logRound = (i: number, r: Round) =>
      ctx.log(
        `${r.label} #${i}: killed ${r.kill.delayMs} ms in, after ${r.kill.landed} (catalog: ${r.afterKill}); rerun ${'ms' in r.kill.rerun ? `${Math.round(r.kill.rerun.ms)} ms` : 'alreadyDone' in r.kill.rerun ? 'found it done' : `FAILED ${r.kill.rerun.error}`}` +
          `${r.findings.length + r.leftovers.length + r.notServing.length + r.foreign + (r.writes?.lost ?? 0) ? ` PROBLEMS ${JSON.stringify(r)}` : ''}`,
      );
    const checks: Check[] = [];
    try {
      await plantCanary(tenancy);

      const created = new Map<string, number>();
      const createRounds: Round[] = [];
      for (let i = 0; i < kills; i++) logRound(i, (createRounds[i] = await createRound(s, created, i, STRATEGIES[i % STRATEGIES.length]!)));
      checks.push(verdict('createTenant of each strategy, killed at a random moment, then rerun', createRounds, created));

      const file = await importSource(s, ctx.workDir);
      const imported = new Map<string, number>();
      const importRounds: Round[] = [];
      for (let i = 0; i < kills; i++) logRound(i, (importRounds[i] = await importRound(s, imported, i, STRATEGIES[i % STRATEGIES.length]!, file)));
      checks.push(verdict('importTenant of an archive into each strategy, killed at a random moment, then rerun', importRounds, imported));

      const moved = new Map<string, number>();
      const moveRounds: Round[] = [];
      const chain = await MoveChain.start(s);
      for (let i = 0; i < kills; i++) logRound(i, (moveRounds[i] = await chain.round(s, moved)));
      checks.push(verdict('moveTenant between strategies under a writer, killed at a random moment, then rerun', moveRounds, moved));

      checks.push(await plantedFaults(s, ctx, created, () => chain.round(s, moved, true), kills));
      await chain.stop(s);

      const slugs = await migrateTenants(s);
      // Each round's kill is drawn from the latest run that did the whole job: the first, or a rerun after a kill that
      // came before any tenant was done. (The longest so far would push the kills past the end on a busy machine.)
      let migrateMs = await measureMigrate(s, ctx.workDir);
      const migrateRounds: Round[] = [];
      for (let i = 0; i < kills; i++) {
        const round = await migrateRound(s, urls, ctx.workDir, i + 2, slugs, migrateMs);
        logRound(i, (migrateRounds[i] = round));
        if ('ms' in round.kill.rerun && /^(start|shared)/.test(round.kill.landed)) migrateMs = round.kill.rerun.ms;
      }
      checks.push(
        verdict(
          'migrate (an additive migration, tenants of every strategy), killed at a random moment, then rerun',
          migrateRounds,
          new Map([['migrate', migrateMs]]),
        ),
      );
    } finally {
      await children.close();
      await tenancy.close();
      await server.destroy();
    }
    return checks;
  },
};

/**
 * The checks above catch what they claim to: one round of createTenant (schema) with an orphan schema and role planted,
 * RLS un-forced on the tenant's table and a row slipped into the canary's after its rerun, and one move round with the
 * ack of a write never made and an acknowledged write made twice. Each
 * round's verdict must come out red, for those reasons.
 */
async function plantedFaults(s: Setting, ctx: PartContext, created: Map<string, number>, fakeAckRound: () => Promise<Round>, i: number): Promise<Check> {
  const orphan = `${s.tenancy.config.namePrefix}orphan_plant`;
  const canary = await s.tenancy.getTenant(CANARY);
  const admin = new pg.Client({ connectionString: s.superuserUrl });
  await admin.connect();
  try {
    const planted = await createRound(s, created, 1000 + i, 'schema', async (slug) => {
      await admin.query(`create role ${pg.escapeIdentifier(orphan)}; create schema ${pg.escapeIdentifier(orphan)}`);
      const { schemaName } = await s.tenancy.getTenant(slug);
      await admin.query(`alter table ${pg.escapeIdentifier(schemaName)}.projects no force row level security`);
      // A row in the canary's view that is not the canary's own.
      await admin.query(`insert into public.projects (tenant_id, name) values ($1, 'planted foreign row')`, [canary.id]);
    });
    await admin.query(`drop schema ${pg.escapeIdentifier(orphan)}; drop role ${pg.escapeIdentifier(orphan)}`);
    await admin.query(`delete from public.projects where tenant_id = $1 and name = 'planted foreign row'`, [canary.id]);
    const acked = await fakeAckRound();
    const auditRed = planted.findings.some((f) => f.startsWith('rls-not-forced '));
    const leftoversRed = planted.leftovers.includes(`schema ${orphan}`) && planted.leftovers.includes(`role ${orphan}`);
    const lostRed = acked.writes?.lost === 1;
    const doubledRed = acked.writes?.doubled === 1;
    const foreignRed = planted.foreign === 1;
    const red = [verdict('planted', [planted], created), verdict('planted', [acked], new Map())].filter((c) => !c.passed).length;
    ctx.log(
      `planted faults: audit ${auditRed ? 'red' : 'MISSED'}, leftovers ${leftoversRed ? 'red' : 'MISSED'}, lost write ${lostRed ? 'red' : 'MISSED'}, doubled write ${doubledRed ? 'red' : 'MISSED'}, foreign row ${foreignRed ? 'red' : 'MISSED'}`,
    );
    return {
      name: 'the checks catch planted faults (an orphan schema and role, RLS not forced, a foreign row, an ack of a write never made, a write made twice)',
      figures: {
        'audit finding seen': auditRed ? 1 : 0,
        'orphans seen': leftoversRed ? 2 : 0,
        'lost write seen': lostRed ? 1 : 0,
        'doubled write seen': doubledRed ? 1 : 0,
        'foreign rows seen': planted.foreign,
        'rounds judged red': red,
      },
      must: 'each planted fault is reported, and both rounds are judged red',
      passed: auditRed && leftoversRed && lostRed && doubledRed && foreignRed && red === 2,
    };
  } finally {
    await admin.end();
  }
}
