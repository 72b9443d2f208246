import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Mode } from './part';
import { PART_NAMES } from './parts';
import { newSeed } from './random';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface RunConfig {
  mode: Mode;
  seed: number;
  parts: string[];
  reportFile: string;
}

const USAGE = `Usage: npm run test:reliability -- [--short] [--seed N] [--only part[,part...]] [--report FILE]

  --short        the short run (what \`npm test\` runs); default: the full run
  --seed N       replay a run: every random choice derives from it (printed at the start and in the report)
  --only LIST    run only these parts (${PART_NAMES.join(', ')})
  --report FILE  where to write the report (default reliability-report.json, or
                 reliability-report.short.json for a short run, at the repository root)`;

export function parseConfig(argv: string[]): RunConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      short: { type: 'boolean', default: false },
      seed: { type: 'string' },
      only: { type: 'string' },
      report: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const mode: Mode = values.short ? 'short' : 'full';
  const seed = values.seed === undefined ? newSeed() : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0x7fff_ffff)
    throw new Error(`--seed must be an integer from 0 to ${0x7fff_ffff}, not ${values.seed}\n\n${USAGE}`);
  const parts = values.only === undefined ? [...PART_NAMES] : values.only.split(',').map((name) => name.trim());
  if (parts.length === 0) throw new Error(`no part to run\n\n${USAGE}`);
  const unknown = parts.filter((name) => !PART_NAMES.includes(name));
  if (unknown.length > 0) throw new Error(`unknown part(s): ${unknown.join(', ')}\n\n${USAGE}`);
  const reportFile = path.resolve(values.report ?? path.join(ROOT, mode === 'full' ? 'reliability-report.json' : 'reliability-report.short.json'));
  return { mode, seed, parts, reportFile };
}
