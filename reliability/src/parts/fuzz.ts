import { STRATEGIES } from '@repo/tenancy';
import { startFuzzDeployment, SIZES } from '../fuzz/deployment';
import { Baselines } from '../fuzz/hostile';
import { Ledger } from '../fuzz/ledger';
import { runLoad } from '../fuzz/load';
import { insertTree } from '../fuzz/operations';
import { Tally } from '../fuzz/tally';
import { createTenants } from '../fuzz/tenants';
import { runUnderneath } from '../fuzz/underneath';
import { verifyWrites } from '../fuzz/verify';
import type { Check, Part, PartContext } from '../part';

const SCALE = {
  short: { tenants: 12, operations: 20_000, workers: 12, migrateAt: [0.3] },
  full: { tenants: 100, operations: 1_000_000, workers: 24, migrateAt: [0.25, 0.6] },
} as const;

export const fuzz: Part = {
  name: 'fuzz',
  title: 'isolation fuzzer: random concurrent tenant operations over three strategies and three poolers, moves and migrations underneath',
  requires: ['pgbouncer'],
  run,
};

async function run(ctx: PartContext): Promise<Check[]> {
  const scale = SCALE[ctx.mode];
  const started = Date.now();
  const deployment = await startFuzzDeployment(ctx.workDir, ctx.log);
  try {
    const tenants = await createTenants(deployment, scale.tenants);
    ctx.log(
      `${tenants.length} tenants (${STRATEGIES.map((s) => `${tenants.filter((t) => t.strategy === s).length} ${s}`).join(', ')}) in ${Date.now() - started} ms`,
    );
    const ledger = new Ledger();
    const tally = new Tally();
    const random = ctx.random;
    const baselines = new Baselines();
    for (const caller of deployment.callers) {
      for (const strategy of STRATEGIES)
        await baselines.take(
          caller,
          tenants.find((t) => t.strategy === strategy)!,
        );
    }
    // Every tenant starts with a tree of rows, so the first reads and updates have something to find.
    for (const [i, tenant] of tenants.entries()) {
      await insertTree({ caller: deployment.callers[i % deployment.callers.length]!, tenant, ledger, tally, random });
    }

    let loadDone = false;
    let migrationsDone!: () => void;
    const mustOverlap = new Promise<void>((resolve) => (migrationsDone = resolve));
    const underneath = runUnderneath({
      deployment,
      tenants,
      random: random.fork('underneath'),
      tally,
      plan: { migrateAt: [...scale.migrateAt] },
      progress: () => tally.operations / scale.operations,
      stop: () => loadDone,
      workDir: ctx.workDir,
      log: ctx.log,
      onMigrationsDone: () => migrationsDone(),
    });
    const loadStarted = Date.now();
    await runLoad({
      callers: deployment.callers,
      tenants,
      ledger,
      tally,
      baselines,
      random: random.fork('load'),
      workers: scale.workers,
      total: scale.operations,
      mustOverlap,
      otherRole: async (attacker) => {
        const other = tenants.find((t) => t !== attacker && t.strategy === 'schema');
        return other ? (await deployment.control.getTenant(other.slug)).roleName : null;
      },
      log: ctx.log,
      onStuck: (pooler) => ctx.log(`${pooler} log, last lines:\n${deployment.poolerLog(pooler).split('\n').slice(-25).join('\n')}`),
    });
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    loadDone = true;
    await underneath;
    const verified = await verifyWrites(
      deployment,
      tenants.map((t) => t.slug),
      ledger,
    );
    const lost = verified.insertsLost + verified.deletesLost + verified.updatesLost + tally.lostAtWrite;
    const foreign = tally.foreignRows + verified.foreignRows;
    ctx.log(
      `seed ${ctx.seed}: ${tally.operations} operations in ${loadSeconds.toFixed(0)} s, ${tally.rowsChecked} rows checked, ${foreign} foreign, ` +
        `${ledger.figures.acked} writes acked, ${lost} lost, ${verified.doubled} doubled, ${tally.moves} moves, ${tally.migrations} migrations, ` +
        `${tally.hostileStatements} hostile statements, ${tally.refusals} refusals; errors: ${tally.errorSummary()}`,
    );
    return [
      {
        name: 'every row returned belongs to the tenant asked for',
        figures: {
          seed: ctx.seed,
          operations: tally.operations,
          'rows checked': tally.rowsChecked,
          'foreign rows seen': tally.foreignRows,
          'foreign rows at rest': verified.foreignRows,
          tenants: tenants.length,
          callers: deployment.callers.map((c) => c.pooler).join(' / '),
          'pool sizes': `app ${SIZES.appPoolSize}, per tenant ${SIZES.perTenantPoolSize}, PgBouncer session ${SIZES.sessionBouncerPool}, transaction ${SIZES.transactionBouncerPool}`,
          'ops/s': Math.round(tally.operations / loadSeconds),
        },
        must: `at least ${scale.operations} operations, rows checked, and 0 foreign rows (read, or at rest in a placement)`,
        passed: tally.operations >= scale.operations && tally.rowsChecked > 0 && foreign === 0,
        detail:
          foreign > 0 ? [...tally.foreignSamples.map((s) => `${s.op} via ${s.caller} for ${s.asked}: ${s.seen}`), ...verified.samples].join('; ') : undefined,
      },
      {
        name: 'every acknowledged write is there exactly once, with its last value',
        figures: {
          'writes acked': ledger.figures.acked,
          inserts: ledger.figures.ackedInserts,
          updates: ledger.figures.ackedUpdates,
          deletes: ledger.figures.ackedDeletes,
          'writes lost': lost,
          'writes doubled': verified.doubled,
          'unacknowledged rows found': verified.phantoms,
          'outcome unknown (failed at COMMIT)': ledger.figures.unknown,
          'rows scanned': verified.rowsScanned,
          'rows left in an old placement': verified.strays,
          "other tenants' rows (init.sql's)": verified.othersRows,
        },
        must: 'writes acked > 0; lost, doubled, unacknowledged-but-present and rows left in an old placement all 0',
        passed: ledger.figures.acked > 0 && lost === 0 && verified.doubled === 0 && verified.phantoms === 0 && verified.strays === 0,
        detail: lost + verified.doubled + verified.phantoms > 0 ? [...tally.lostSamples, ...verified.samples].join('; ') : undefined,
      },
      {
        name: "hostile callers' session statements are refused or gone for the next caller",
        figures: {
          'hostile operations': tally.hostileOps,
          'statements run': tally.hostileStatements,
          refusals: tally.refusals,
          'not refused': tally.notRefused,
          'follow-ups': tally.followUps,
          'on the same server connection': tally.followUpsSameConnection,
          'tainted connections': tally.taintedSessions,
        },
        must: 'hostile statements ran and were refused where the session suite says so, some follow-ups shared the connection, 0 not refused, 0 tainted',
        passed: tally.hostileOps > 0 && tally.refusals > 0 && tally.followUpsSameConnection > 0 && tally.notRefused === 0 && tally.taintedSessions === 0,
        detail: [...tally.notRefusedSamples, ...tally.taintSamples].join('; ') || undefined,
      },
      {
        name: 'moves and migrations ran underneath',
        figures: {
          moves: tally.moves,
          'move failures': tally.moveFailures,
          migrations: tally.migrations,
          'migration failures': tally.migrationFailures,
          'requests that waited out a move': tally.movingRetries,
        },
        must: `moves > 0, ${scale.migrateAt.length} migration(s), no move or migration failed`,
        passed: tally.moves > 0 && tally.migrations === scale.migrateAt.length && tally.moveFailures === 0 && tally.migrationFailures === 0,
        detail: tally.underneathErrors.join('; ') || undefined,
      },
      {
        name: 'no unexpected error',
        figures: { 'errors by kind': tally.errorSummary(), unexpected: tally.unexpectedErrors(), 'operations stuck over 20 s': tally.stuck },
        must: 'no error but a request that waited out a move pause (hostile refusals are counted above, inside their transactions), no operation stuck',
        passed: tally.unexpectedErrors() === 0 && tally.stuck === 0,
        detail: tally.unexpectedSamples() || undefined,
      },
    ];
  } finally {
    await deployment.close();
  }
}
