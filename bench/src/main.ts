import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConfig, type SectionName } from './config';
import { buildDataset } from './harness/dataset';
import { machineInfo, startServer } from './harness/database';
import { keepClientLight, type BenchEnv } from './harness/env';
import { BENCHMARKS_MD, printSection, RESULTS_DIR, writeBenchmarksMd, writeSection, type SectionResult } from './harness/report';
import { contextCost } from './sections/context-cost';
import { instructions } from './sections/instructions';
import { leaks } from './sections/leaks';
import { lifecycle } from './sections/lifecycle';
import { migrateScale } from './sections/migrate-scale';
import { plans } from './sections/plans';
import { pooler } from './sections/pooler';
import { provisioning } from './sections/provisioning';
import { roundTrips } from './sections/round-trips';
import { servers } from './sections/servers';
import { web } from './sections/web';

const RUNNERS: Record<SectionName, (env: BenchEnv) => Promise<SectionResult>> = {
  'context-cost': contextCost,
  'round-trips': roundTrips,
  leaks,
  plans,
  provisioning,
  pooler,
  web,
  instructions,
  lifecycle,
  'migrate-scale': migrateScale,
  servers,
};

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2));
  const t0 = performance.now();
  const log = (line: string) => console.log(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  keepClientLight();
  log(`${config.mode} mode: ${config.sections.join(', ')}`);
  const server = await startServer({ keep: config.keep });
  try {
    log(`server: ${server.source}`);
    const machine = await machineInfo(server, config.mode);
    log(`loading ${config.data.tenants} tenants, ${config.data.projects} projects, ${config.data.tasks} tasks`);
    const dataset = await buildDataset(server, config, log);
    const env: BenchEnv = { server, config, dataset, machine, log };
    for (const name of config.sections) {
      log(`section ${name}`);
      const result = await RUNNERS[name](env);
      await writeSection(result);
      printSection(result);
    }
    writeBenchmarksMd(machine);
    // What CI checks: every section's JSON and charts, and BENCHMARKS.md, are there.
    for (const name of config.sections) {
      const file = path.join(RESULTS_DIR, `${name}.json`);
      if (!existsSync(file)) throw new Error(`${file} was not written`);
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { summary: { chartFile: string | null } | null; tables: { chartFile: string | null }[] };
      for (const table of [...(stored.summary ? [stored.summary] : []), ...stored.tables]) {
        if (table.chartFile && !existsSync(path.join(RESULTS_DIR, table.chartFile))) throw new Error(`chart ${table.chartFile} was not written`);
      }
    }
    if (!readFileSync(BENCHMARKS_MD, 'utf8').includes('## Goals')) throw new Error('BENCHMARKS.md was not written');
    log(`wrote ${path.relative(process.cwd(), BENCHMARKS_MD) || BENCHMARKS_MD} and bench/results/ (${((performance.now() - t0) / 1000).toFixed(0)} s in all)`);
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error('[bench] failed:', error);
  process.exitCode = 1;
});
