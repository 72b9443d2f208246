import type { StrategyName, TenantTx } from '@repo/tenancy';
import { CASES, plantCase, SETTINGS_SQL } from '@repo/db/test/session-cases';
import type { Caller, Pooler } from './deployment';
import type { FuzzTenant, OpContext } from './operations';

/**
 * A hostile caller: inside its own tenant's transaction it runs the statements of the pooled-session suite (what SQL
 * can leave on a pooled server connection), each in a savepoint. A statement the suite marks refused must fail; the
 * next caller then probes the connection it gets.
 */

/** What a transaction reads about its connection: settings a plant could change, its context, leftovers of a session. */
const PROBE_SQL = `select ${SETTINGS_SQL}, (select tenancy.current_tenant_id()) as "tenant",
  coalesce(current_setting('leak.secret', true), '') as "custom", array(select pg_listening_channels()) as "channels",
  (select count(*)::int from pg_prepared_statements) as "prepared", (select count(*)::int from pg_cursors) as "cursors",
  pg_backend_pid() as "pid"`;

type Probe = Record<string, unknown>;

/** What a fresh transaction sees, per caller and strategy, taken before any hostile statement ran. */
export class Baselines {
  private readonly seen = new Map<string, string>();

  async take(caller: Caller, tenant: FuzzTenant): Promise<void> {
    const { probe, strategy } = await probeIn(caller, tenant);
    this.seen.set(`${caller.pooler}:${strategy}`, comparable(probe));
  }

  /** Where `probe` differs from the baseline, in words; undefined when it does not. */
  differs(pooler: Pooler, strategy: StrategyName, probe: Probe): string | undefined {
    const want = this.seen.get(`${pooler}:${strategy}`);
    if (want === undefined) return `no baseline for ${pooler} ${strategy}`;
    const got = comparable(probe);
    if (got === want) return undefined;
    const a = JSON.parse(want) as Probe;
    const b = JSON.parse(got) as Probe;
    return Object.keys(b)
      .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
      .map((k) => `${k}: ${JSON.stringify(a[k])} -> ${JSON.stringify(b[k])}`)
      .join(', ');
  }
}

function comparable(probe: Probe): string {
  const { pid: _pid, tenant: _tenant, ...rest } = probe;
  return JSON.stringify(rest);
}

async function probeIn(caller: Caller, tenant: FuzzTenant): Promise<{ probe: Probe; strategy: StrategyName; rows: Record<string, unknown>[] }> {
  return caller.tenancy.withTenant(
    tenant.slug,
    async (tx: TenantTx) => {
      const probe = (await tx.query(PROBE_SQL)).rows[0] as Probe;
      const rows = (await tx.query('select tenant_id, name from projects order by created_at desc limit 20')).rows;
      return { probe, strategy: tx.tenant.strategy, rows };
    },
    { role: 'member', userId: tenant.member },
  );
}

export interface HostileContext extends OpContext {
  baselines: Baselines;
  /** A tenant that is the next caller on the hostile one's connection, as far as the fuzzer can arrange it. */
  victimFor(attacker: FuzzTenant): FuzzTenant;
  /** The role of a schema tenant other than `attacker`, for the case that assumes another tenant's role. */
  otherRole(attacker: FuzzTenant): Promise<string | null>;
}

/** One hostile operation: a case of the session suite inside the tenant's own transaction, then a probe of the connection. */
export async function hostile(op: HostileContext): Promise<void> {
  const cases = CASES.filter((c) => !c.only || c.only.includes(op.tenant.strategy));
  const testCase = op.random.pick(cases);
  const plants = testCase.plant({ b: { tenant: { roleName: testCase.only ? await op.otherRole(op.tenant) : null } } });
  const statements = plants.map((p) => (typeof p === 'string' ? p : p.sql));
  const outcome = await plantCase(op.caller.tenancy, op.tenant.slug, statements, testCase.via, { role: 'admin', userId: op.tenant.admin });
  op.tally.hostileOps++;
  for (const [i, p] of plants.entries()) {
    op.tally.hostileStatements++;
    if (typeof p === 'string') continue;
    if (outcome.failed[i]) op.tally.refusals++;
    else {
      op.tally.notRefused++;
      if (op.tally.notRefusedSamples.length < 5) op.tally.notRefusedSamples.push(`${testCase.name}: ${p.sql} through ${op.caller.pooler}`);
    }
  }
  // The next caller on this caller's pool: its own rows only, and a connection exactly as a fresh transaction finds it.
  const victim = op.victimFor(op.tenant);
  const seen = await probeIn(op.caller, victim);
  op.tally.count('hostile follow-up', op.caller.pooler);
  op.tally.followUps++;
  if (seen.probe.pid === outcome.pid) op.tally.followUpsSameConnection++;
  op.tally.checkRows(seen.rows, [['tenant_id', 'name']], victim, 'hostile follow-up', op.caller.pooler);
  const wrong =
    seen.probe.tenant !== victim.id ? `context tenant ${String(seen.probe.tenant)}` : op.baselines.differs(op.caller.pooler, seen.strategy, seen.probe);
  if (wrong !== undefined) {
    op.tally.taintedSessions++;
    if (op.tally.taintSamples.length < 5) op.tally.taintSamples.push(`after "${testCase.name}" through ${op.caller.pooler}: ${wrong}`);
  }
}
