import { parseArgs } from 'node:util';

export const SECTIONS = [
  'context-cost',
  'round-trips',
  'leaks',
  'plans',
  'provisioning',
  'pooler',
  'web',
  'instructions',
  'lifecycle',
  'migrate-scale',
  'servers',
] as const;
/** Run only when named: it needs a server started under callgrind (bench/scripts/callgrind-postgres.sh). */
const ON_REQUEST: readonly string[] = ['instructions'];
export type SectionName = (typeof SECTIONS)[number];

/** Everything a run varies by mode. Figures are only ever compared within one run. */
export interface BenchConfig {
  mode: 'quick' | 'full';
  sections: SectionName[];
  data: { tenants: number; projects: number; tasks: number };
  /** Tenants provisioned as `schema` and as `database` (each mirrors an rls tenant's rows). */
  placedTenants: number;
  /** pg.Pool size of every approach, and of the tenancy app pool. */
  poolSize: number;
  /** Concurrent callers sharing that pool. */
  callers: number;
  /** Length of one timed round. */
  roundMs: number;
  /** Untimed calls before an approach's first round. */
  warmupMs: number;
  /** How many A B B A blocks per approach. */
  passes: number;
  /** Section 3: calls over PgBouncer and tenants they interleave over. */
  leakCalls: number;
  leakTenants: number;
  /** Keep the temporary cluster's data directory (debugging). */
  keep: boolean;
}

const USAGE = `Usage: npm run bench -- [--quick] [--only <section>[,<section>...]] [--keep]

  --quick        a tenth of the data, short rounds; finishes in under 3 minutes
  --only LIST    run only these sections (${SECTIONS.join(', ')}); BENCHMARKS.md keeps
                 the other sections' last results from bench/results/*.json
  --keep         keep the temporary PostgreSQL data directory
  BENCH_DATABASE_URL=postgres://superuser@host/db   use this server instead of an embedded one

  instructions   runs only when named, against a server started under callgrind:
                 bench/scripts/callgrind-postgres.sh (it prints the two variables to set)`;

export function parseConfig(argv: string[]): BenchConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const sections = values.only ? values.only.split(',').map((s) => s.trim()) : SECTIONS.filter((s) => !ON_REQUEST.includes(s));
  for (const section of sections) {
    if (!(SECTIONS as readonly string[]).includes(section)) throw new Error(`Unknown section "${section}". ${USAGE}`);
  }
  const quick = values.quick;
  // Under callgrind the server runs some fifty times slower: a small dataset is enough to count instructions per call.
  const counting = sections.length === 1 && sections[0] === 'instructions';
  return {
    mode: quick ? 'quick' : 'full',
    sections: sections as SectionName[],
    data: counting
      ? { tenants: 30, projects: 600, tasks: 6_000 }
      : quick
        ? { tenants: 100, projects: 20_000, tasks: 100_000 }
        : { tenants: 1_000, projects: 200_000, tasks: 1_000_000 },
    placedTenants: counting ? 0 : quick ? 4 : 12,
    poolSize: 4,
    callers: 16,
    roundMs: quick ? 150 : 1_500,
    warmupMs: quick ? 40 : 400,
    passes: quick ? 1 : 2,
    // Quick: half the calls (seed 004 pays two bcrypt checks per call); the full run makes the 2,000.
    leakCalls: quick ? 1_000 : 2_000,
    leakTenants: 10,
    keep: values.keep,
  };
}
