import type { Random } from '../random';
import type { Caller, Pooler } from './deployment';
import { hostile, type Baselines, type HostileContext } from './hostile';
import type { Ledger } from './ledger';
import { insert, insertTree, readDrizzle, readQueryAs, readSql, remove, update, type FuzzTenant, type OpContext } from './operations';
import type { Tally } from './tally';

type Run = (op: HostileContext) => Promise<void>;

/** The operations and how often each is drawn (weights). */
const KINDS: readonly { name: string; weight: number; run: Run }[] = [
  { name: 'read sql', weight: 16, run: readSql },
  { name: 'read queryAs', weight: 12, run: readQueryAs },
  { name: 'read drizzle', weight: 12, run: readDrizzle },
  { name: 'insert project', weight: 8, run: (op) => insert(op, 'projects') },
  { name: 'insert task', weight: 8, run: (op) => insert(op, 'tasks') },
  { name: 'insert comment', weight: 8, run: (op) => insert(op, 'comments') },
  { name: 'insert project+task+comment', weight: 4, run: insertTree },
  { name: 'update project', weight: 6, run: (op) => update(op, 'projects') },
  { name: 'update task', weight: 5, run: (op) => update(op, 'tasks') },
  { name: 'update comment', weight: 5, run: (op) => update(op, 'comments') },
  { name: 'delete comment', weight: 3, run: (op) => remove(op, 'comments') },
  { name: 'delete task', weight: 2, run: (op) => remove(op, 'tasks') },
  { name: 'delete project', weight: 1, run: (op) => remove(op, 'projects') },
  { name: 'hostile', weight: 2, run: hostile },
];
/** How long an operation may run before the run reports it as stuck: well above a move's pause. */
const STUCK_MS = 20_000;
const TOTAL_WEIGHT = KINDS.reduce((sum, k) => sum + k.weight, 0);

function pickKind(random: Random): (typeof KINDS)[number] {
  let n = random.int(1, TOTAL_WEIGHT);
  for (const kind of KINDS) {
    n -= kind.weight;
    if (n <= 0) return kind;
  }
  return KINDS[0]!;
}

export interface LoadOptions {
  callers: Caller[];
  tenants: FuzzTenant[];
  ledger: Ledger;
  tally: Tally;
  baselines: Baselines;
  random: Random;
  workers: number;
  total: number;
  /** Work that must happen under load: the last 5% of operations wait for it. */
  mustOverlap: Promise<void>;
  otherRole(attacker: FuzzTenant): Promise<string | null>;
  log(line: string): void;
  /** Called at the first stuck operation, with its caller's pooler. */
  onStuck(pooler: Pooler): void;
}

/** `workers` concurrent callers drawing operations until `total` have been issued. */
export async function runLoad(options: LoadOptions): Promise<void> {
  const { callers, tenants, ledger, tally, baselines, total, log } = options;
  let issued = 0;
  let reported = 0;
  const started = Date.now();
  const victimFor = (random: Random) => (attacker: FuzzTenant) => {
    if (attacker.strategy === 'database') return attacker;
    const shared = tenants.filter((t) => t.strategy !== 'database' && t !== attacker);
    return shared.length > 0 ? random.pick(shared) : attacker;
  };
  // An operation that does not come back is reported while the run goes on (a stuck call is a finding of its own).
  const inFlight = new Map<number, { caller: Pooler; what: string; since: number; told: boolean }>();
  const watch = setInterval(() => {
    for (const [i, op] of inFlight) {
      if (op.told || Date.now() - op.since < STUCK_MS) continue;
      op.told = true;
      tally.stuck++;
      log(`worker ${i}: ${op.what} running for ${Math.round((Date.now() - op.since) / 1000)} s`);
      if (tally.stuck === 1) options.onStuck(op.caller);
    }
  }, 1000);
  const worker = async (i: number) => {
    const random = options.random.fork(`worker-${i}`);
    while (issued < total) {
      if (issued >= total * 0.95) await options.mustOverlap;
      issued++;
      const kind = pickKind(random);
      const op: OpContext = { caller: random.pick(callers), tenant: random.pick(tenants), ledger, tally, random };
      tally.count(kind.name, op.caller.pooler);
      inFlight.set(i, {
        caller: op.caller.pooler,
        what: `${kind.name} for ${op.tenant.slug} (${op.tenant.strategy}) through ${op.caller.pooler}`,
        since: Date.now(),
        told: false,
      });
      try {
        await kind.run({ ...op, baselines, victimFor: victimFor(random), otherRole: options.otherRole });
      } catch (error) {
        tally.error(error);
      } finally {
        inFlight.delete(i);
      }
      if (issued - reported >= total / 20) {
        reported = issued;
        const seconds = (Date.now() - started) / 1000;
        log(
          `${issued.toLocaleString('en-US')} operations issued, ${Math.round(issued / seconds)}/s, ${tally.rowsChecked.toLocaleString('en-US')} rows checked, ` +
            `${tally.foreignRows} foreign, ${ledger.figures.acked.toLocaleString('en-US')} writes acked, ${tally.lostAtWrite} lost at a later write, ` +
            `${tally.moves} moves, ${tally.migrations} migrations, ${tally.refusals} refusals, ${tally.taintedSessions} tainted, ${tally.unexpectedErrors()} unexpected errors`,
        );
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.workers }, (_, i) => worker(i)));
  } finally {
    clearInterval(watch);
  }
}
