import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StrategyName } from '@repo/tenancy';
import { ROOT_DIR } from './report';

const CHILD = fileURLToPath(new URL('./archive-child.ts', import.meta.url));

/**
 * The app's data tables, whose rows the section counts. An archive also carries the activity log, which the row triggers
 * filled with one entry per row written under a user's context (the fill), so its total is about twice these.
 */
export const DATA_TABLES: ReadonlySet<string> = new Set(['projects', 'tasks', 'comments']);

/** The rows of an archive's manifest in the app's data tables. */
export function dataRows(tables: readonly { name: string; rows: number }[]): number {
  return tables.filter((t) => DATA_TABLES.has(t.name)).reduce((sum, t) => sum + t.rows, 0);
}

export interface ChildRequest {
  op: 'idle' | 'export' | 'import';
  adminUrl: string;
  appUrl: string;
  contextSecret: string;
  namePrefix: string;
  /** A FileSecretsProvider's file, shared with the parent: tenant role passwords live there. */
  secretsFile: string;
  catalogCacheMs: number;
  /** export: the tenant to write; import: the new tenant's slug. */
  slug?: string;
  file?: string;
  strategy?: StrategyName;
}

export interface ChildReport {
  op: ChildRequest['op'];
  /** process.resourceUsage().maxRSS at the end: the process's peak resident set, KiB. */
  maxRssKiB: number;
  ms: number;
  rows: number;
  bytes: number;
}

/**
 * Runs archive-child.ts as the repo runs TypeScript (node --import tsx, from the repository root)
 * and returns its report; a child that fails fails the section.
 */
export function runChild(request: ChildRequest): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(request)], {
      cwd: ROOT_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(new Error(`lifecycle: the ${request.op} child exited with ${code ?? signal}: ${stderr.trim() || stdout.trim()}`));
        return;
      }
      resolve(JSON.parse(last) as ChildReport);
    });
  });
}
