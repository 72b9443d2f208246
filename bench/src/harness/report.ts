import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { SECTIONS, type SectionName } from '../config';
import type { MachineInfo } from './database';

export const BENCH_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const RESULTS_DIR = path.join(BENCH_DIR, 'results');
export const ROOT_DIR = path.resolve(BENCH_DIR, '..');
export const BENCHMARKS_MD = path.join(ROOT_DIR, 'BENCHMARKS.md');

export type Cell = string | number | null;

export interface Table {
  /** File-name part of the chart: results/<section>-<id>.svg */
  id: string;
  title: string;
  columns: string[];
  rows: Cell[][];
  /** Lines printed under the table (legend, caveats). */
  notes?: string[];
  chart?: TopLevelSpec;
}

export interface SectionResult {
  name: SectionName;
  title: string;
  machine: MachineInfo;
  /** Paragraphs before the tables. */
  intro: string[];
  tables: Table[];
  /** A table shown at the top of BENCHMARKS.md (the goals), with its notes and chart. */
  summary?: Table;
  /** Paragraphs after the tables (findings, which goals are missed and why). */
  notes: string[];
  /** Everything measured, for anyone who wants more than the tables. */
  data: unknown;
}

export function markdownTable(table: Table): string {
  const esc = (c: Cell) => (c === null ? '' : String(c).replaceAll('|', '\\|').replaceAll('\n', ' '));
  // Numbers right-aligned, text left-aligned.
  const numeric = table.columns.map((_, i) => table.rows.length > 0 && table.rows.every((r) => r[i] === null || r[i] === '' || /^[-–\d.,]/.test(String(r[i]))));
  const lines = [`| ${table.columns.map(esc).join(' | ')} |`, `|${numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`];
  for (const row of table.rows) lines.push(`| ${row.map(esc).join(' | ')} |`);
  return lines.join('\n');
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function chartFile(section: SectionName, table: Table): string {
  return `${section}-${table.id}.svg`;
}

/** Writes results/<section>.json and one SVG per charted table; replaces the section's previous charts. */
export async function writeSection(result: SectionResult): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  for (const file of readdirSync(RESULTS_DIR)) {
    if (file.startsWith(`${result.name}-`) && file.endsWith('.svg')) rmSync(path.join(RESULTS_DIR, file));
  }
  const all = [...(result.summary ? [result.summary] : []), ...result.tables];
  for (const table of all) {
    if (table.chart) writeFileSync(path.join(RESULTS_DIR, chartFile(result.name, table)), await renderSvg(table.chart));
  }
  const stored = ({ chart, ...t }: Table) => ({ ...t, chartFile: chart ? chartFile(result.name, t as Table) : null });
  const { tables, summary, ...rest } = result;
  const json = { ...rest, summary: summary ? stored(summary) : null, tables: tables.map(stored) };
  writeFileSync(path.join(RESULTS_DIR, `${result.name}.json`), `${JSON.stringify(json, null, 2)}\n`);
}

/** Prints a section's tables to the terminal as markdown. */
export function printSection(result: SectionResult): void {
  console.log(`\n## ${result.title}\n`);
  for (const table of [...(result.summary ? [result.summary] : []), ...result.tables]) {
    console.log(`### ${table.title}\n`);
    console.log(markdownTable(table));
    console.log('');
    for (const note of table.notes ?? []) console.log(`${note}\n`);
  }
  for (const note of result.notes) console.log(`${note}\n`);
}

type StoredTable = Omit<Table, 'chart'> & { chartFile: string | null };
export type StoredSection = Omit<SectionResult, 'tables' | 'summary'> & { tables: StoredTable[]; summary: StoredTable | null };

/** A section's results as the last run stored them (bench/results/<name>.json). */
export function readStored(name: SectionName): StoredSection | undefined {
  const file = path.join(RESULTS_DIR, `${name}.json`);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as StoredSection;
}

function machineTable(m: MachineInfo): string {
  const s = m.settings;
  return markdownTable({
    id: 'machine',
    title: 'machine',
    columns: ['machine', ''],
    rows: [
      ['cores', `${m.cores} × ${m.cpu}`],
      ['memory', `${m.memoryGiB} GiB`],
      ['PostgreSQL', `${m.postgres} — ${m.server}`],
      [
        'server settings',
        `shared_buffers ${s.shared_buffers}, fsync ${s.fsync}, synchronous_commit ${s.synchronous_commit}, jit ${s.jit}, work_mem ${s.work_mem}`,
      ],
      ['Node', `${m.node}, node-postgres ${m.nodePostgres}`],
      ['PgBouncer', m.pgbouncer],
      ['OS', m.os],
      ['run', `${m.date} (${m.mode} mode)`],
    ],
  });
}

/** BENCHMARKS.md, from every section's stored JSON (a section not run this time keeps its last results). */
export function writeBenchmarksMd(current: MachineInfo): void {
  const out: string[] = [];
  out.push('# Benchmarks');
  out.push('');
  out.push('_Generated by `npm run bench` (bench/src/main.ts); do not edit by hand. Raw figures: `bench/results/*.json`._');
  out.push('');
  out.push('The client (node-postgres) and the server share the machine below. Timings are for people to read: every');
  out.push('figure is a ratio to a baseline measured in the same run, in alternated rounds (A B B A), with the spread');
  out.push('of those rounds, because the machine is shared and noisy. Compare figures within one run only.');
  out.push('');
  out.push(machineTable(current));
  out.push('');
  const stored = SECTIONS.map(readStored);
  const summaries = stored.filter((s): s is StoredSection => Boolean(s?.summary));
  if (summaries.length) {
    out.push('## Goals');
    out.push('');
    for (const section of summaries) {
      const table = section.summary!;
      out.push(markdownTable(table as Table), '');
      for (const note of table.notes ?? []) out.push(note, '');
      if (table.chartFile) out.push(`![${table.title}](bench/results/${table.chartFile})`, '');
    }
  }
  for (const [i, section] of stored.entries()) {
    if (!section) {
      out.push(`## ${i + 1}. ${SECTIONS[i]}`, '', '_Not run yet._', '');
      continue;
    }
    out.push(`## ${section.title}`);
    out.push('');
    if (section.machine.date !== current.date) out.push(`_From an earlier run: ${section.machine.date} (${section.machine.mode} mode)._`, '');
    for (const p of section.intro) out.push(p, '');
    for (const table of section.tables) {
      out.push(`### ${table.title}`);
      out.push('');
      out.push(markdownTable(table as Table));
      out.push('');
      for (const note of table.notes ?? []) out.push(note, '');
      if (table.chartFile) out.push(`![${table.title}](bench/results/${table.chartFile})`, '');
    }
    for (const note of section.notes) out.push(note, '');
  }
  writeFileSync(
    BENCHMARKS_MD,
    `${out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd()}\n`,
  );
}

// ---- chart helpers -------------------------------------------------------------------------

export interface RatioBar {
  label: string;
  ratio: number;
  min: number;
  max: number;
  kind: string;
  /** Goal threshold for this bar, when it has one. */
  goal?: number | undefined;
}

const KIND_COLORS: Record<string, string> = {
  baseline: '#8c8c8c',
  'explicit WHERE': '#bab0ac',
  'this project': '#4c78a8',
  'seed peer': '#e45756',
  diagnostic: '#9ecae9',
};

/** Horizontal bars of the ratio to the baseline, the spread of the rounds as a line, 1.0x and the goals as ticks. */
export function ratioChart(title: string, bars: RatioBar[]): TopLevelSpec {
  const values = bars.map((b) => ({ ...b, text: `${b.ratio.toFixed(2)}x` }));
  const xMax = Math.max(1.2, ...bars.map((b) => b.max)) * 1.12;
  // Data order is the table's order (sort: null); every layer names y itself, so the 1.0x rule adds no row.
  const y = { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: 380 } };
  const x = (field: string) => ({ field, type: 'quantitative', scale: { domain: [0, xMax], clamp: true } });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start' },
    width: 420,
    height: { step: 20 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar', height: 14 },
        encoding: {
          y,
          x: { ...x('ratio'), title: 'ops/s as a ratio to the baseline (higher is better)' },
          color: {
            field: 'kind',
            type: 'nominal',
            title: null,
            scale: { domain: Object.keys(KIND_COLORS), range: Object.values(KIND_COLORS) },
            legend: { orient: 'bottom' },
          },
        },
      },
      { mark: { type: 'rule', color: 'black' }, encoding: { y, x: x('min'), x2: { field: 'max' } } },
      {
        mark: { type: 'tick', color: '#f58518', thickness: 3, size: 18 },
        transform: [{ filter: 'isValid(datum.goal)' }],
        encoding: { y, x: x('goal') },
      },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 }, encoding: { y, x: x('max'), text: { field: 'text' } } },
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#333' }, encoding: { x: { datum: 1, type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

/** Grouped horizontal bars: one row per label, one bar per series, both in data order. */
export function groupedBarChart(title: string, xTitle: string, values: { label: string; series: string; value: number }[], logScale = false): TopLevelSpec {
  const series = [...new Set(values.map((v) => v.series))];
  const positive = values.map((v) => v.value).filter((v) => v > 0);
  // Log-like without losing bars that start at 0: symlog, linear only below the smallest value.
  const constant = positive.length ? Math.min(...positive) / 2 : 1;
  const data = values;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start' },
    width: 460,
    data: { values: data },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: 380 } },
      yOffset: { field: 'series', type: 'nominal', sort: series },
      x: {
        field: 'value',
        type: 'quantitative',
        title: xTitle,
        ...(logScale
          ? { scale: { type: 'symlog', constant }, axis: { format: '~g', values: [0.01, 0.1, 1, 10, 100, 1000, 10000].filter((t) => t >= constant / 2) } }
          : {}),
      },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: series }, legend: { orient: 'bottom', columns: 2, labelLimit: 400 } },
    },
  } as TopLevelSpec;
}
