import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { recordSkip } from '@repo/localdb/skips';
import { TenancyError } from '@repo/tenancy';
import type { Check, Mode } from '../part';
import { isCi } from '../requirements';
import type { FaultDeployment, LoadTenant } from './deployment';
import { writeMarker, type Load } from './load';
import { errorKinds } from './recovery';
import { mountSmallDisk, type SmallDisk } from './tmpfs';
import { findLeaks, leakFree, tallyHolds, tallyWrites } from './verify';

/** Where the disk runs out: writing the table files, or packing them into the archive. */
type Stage = 'copy' | 'pack';
const ROUNDS: Record<Mode, readonly [LoadTenant['strategy'], Stage][]> = {
  short: [
    ['schema', 'copy'],
    ['database', 'pack'],
  ],
  full: [
    ['rls', 'copy'],
    ['schema', 'copy'],
    ['database', 'copy'],
    ['rls', 'pack'],
    ['schema', 'pack'],
    ['database', 'pack'],
  ],
};
const WARM_MS: Record<Mode, number> = { short: 1_500, full: 3_000 };
const DISK_BYTES = 8 * 1024 * 1024;
const PAGE = 4096;
/** Rows a victim has at least, so its archive takes several pages: more than the one left free for the copy stage. */
const MIN_ROWS = 150;
/** Rows added to a copy-stage victim: about 1 MB of table files, far more than a socket's buffers hold. */
const BULK_ROWS = 4_000;

interface Round {
  strategy: string;
  rows: number;
  /** Bytes free on the archive disk when the delete began. */
  free: number;
  refused: boolean;
  clear: boolean;
  error?: Error;
  /** Files the failed delete left on the disk (a partial archive, its work directory). */
  junk: string[];
  activeAfter: boolean;
  servedAfter: boolean;
  victimLost: number;
  retried: boolean;
  retryError?: Error;
  restoredLost: number;
  restoredFailed?: Error;
}

/**
 * deleteTenant archives first; here the archive's disk is full (a tmpfs of its own, filled). The
 * delete must fail with the library's error naming the archive, leave the tenant active and serving
 * with every acknowledged row, and leave no partial archive behind. Once space is freed the same
 * delete completes, and its archive restores every acknowledged row.
 */
export async function fullArchiveDisk(deployment: FaultDeployment, load: Load, mode: Mode, workDir: string): Promise<Check | undefined> {
  const rounds: Round[] = [];
  const othersErrors: ReturnType<Load['errorsBetween']> = [];
  for (const [i, [strategy, stage]] of ROUNDS[mode].entries()) {
    const victim = load.tenants.find((t) => t.strategy === strategy);
    if (!victim) throw new Error(`no ${strategy} tenant left for the archive-disk fault`);
    let disk: SmallDisk;
    try {
      disk = await mountSmallDisk(path.join(workDir, `archive-disk-${i}`), DISK_BYTES);
    } catch (error) {
      const reason = `cannot mount a tmpfs for the full-disk fault (${(error as Error).message.trim().split('\n')[0]}): it needs root (mount -t tmpfs)`;
      if (isCi()) return { name: 'the archive disk full during a delete', figures: {}, must: 'a tmpfs to fill', passed: false, detail: reason };
      recordSkip('mount', `reliability part faults: ${reason}`);
      return undefined;
    }
    try {
      rounds.push(await oneRound(deployment, load, victim, stage, disk, mode, workDir, othersErrors));
    } finally {
      await disk.unmount();
    }
  }
  const tally = await tallyWrites(deployment.tenancy, load.tenants, load);
  const leaks = await findLeaks(deployment);
  const count = (f: (r: Round) => boolean) => rounds.filter(f).length;
  const figures = {
    deletes: rounds.length,
    'victim rows (min)': Math.min(...rounds.map((r) => r.rows)),
    'free bytes (max)': Math.max(...rounds.map((r) => r.free)),
    refused: count((r) => r.refused),
    'clear errors': count((r) => r.clear),
    'files left on the disk': rounds.reduce((n, r) => n + r.junk.length, 0),
    'active after': count((r) => r.activeAfter),
    'served after': count((r) => r.servedAfter),
    'victim rows lost': rounds.reduce((n, r) => n + r.victimLost, 0),
    'retried deletes done': count((r) => r.retried),
    'restored rows lost': rounds.reduce((n, r) => n + r.restoredLost, 0),
    'errors of other tenants': othersErrors.length,
    'acked writes (others)': tally.acked,
    lost: tally.lost,
    'foreign rows': tally.foreign + load.foreignRows,
    'left in transaction': leaks.idleInTransaction,
    'checked out': leaks.checkedOut,
  };
  const all = rounds.length;
  const passed =
    all > 0 &&
    figures.refused === all &&
    figures['clear errors'] === all &&
    figures['files left on the disk'] === 0 &&
    figures['active after'] === all &&
    figures['served after'] === all &&
    figures['victim rows lost'] === 0 &&
    figures['retried deletes done'] === all &&
    figures['restored rows lost'] === 0 &&
    othersErrors.length === 0 &&
    load.foreignRows === 0 &&
    tallyHolds(tally) &&
    leakFree(leaks);
  const problems = rounds.flatMap((r) => [
    r.error ? `${r.strategy}: delete failed with ${r.error.name}: ${r.error.message.slice(0, 200)}` : `${r.strategy}: the delete went through`,
    ...(r.junk.length > 0 ? [`${r.strategy}: left ${r.junk.join(', ')}`] : []),
    ...(r.retryError ? [`${r.strategy}: retry failed: ${r.retryError.message.slice(0, 160)}`] : []),
    ...(r.restoredFailed ? [`${r.strategy}: restore failed: ${r.restoredFailed.message.slice(0, 160)}`] : []),
  ]);
  return {
    name: 'the archive disk full during a delete',
    figures,
    must: 'every delete refused with a TenancyError naming the archive, no file left, the tenant active and served with every acked row; the retried delete done and its archive restoring every acked row; errors of other tenants, lost, foreign rows, left in transaction, checked out all 0',
    passed,
    detail: [...problems, ...(othersErrors.length > 0 ? [`others: ${errorKinds(othersErrors)}`] : [])].join(' | '),
  };
}

async function oneRound(
  deployment: FaultDeployment,
  load: Load,
  victim: LoadTenant,
  stage: Stage,
  disk: SmallDisk,
  mode: Mode,
  workDir: string,
  othersErrors: ReturnType<Load['errorsBetween']>,
): Promise<Round> {
  const { tenancy } = deployment;
  const others = load.tenants.filter((t) => t !== victim).map((t) => t.slug);
  const from = performance.now();
  load.start();
  await sleep(WARM_MS[mode]);
  for (let waited = 0; (load.acked.get(victim.slug)?.size ?? 0) < MIN_ROWS && waited < 20_000; waited += 250) await sleep(250);
  // The victim's rows stay as they are from here (the others stay under load), so its archive's size is known ahead.
  await load.stop();
  load.retire(victim.slug);
  load.start();
  // Large enough that the disk fills while the server is still sending a table, not after it sent the last row.
  if (stage === 'copy') await bulkWrite(tenancy, load, victim.slug, BULK_ROWS);
  const rows = load.acked.get(victim.slug)?.size ?? 0;
  const leave = stage === 'copy' ? PAGE : await roomForCopiesOnly(tenancy, victim.slug, workDir);
  const filler = await disk.fill(leave);
  const free = await disk.free();
  const file = path.join(disk.dir, `${victim.slug}.tar.gz`);
  const error = await settled(tenancy.deleteTenant(victim.slug, { archive: file }));
  if (error instanceof Hung) return { ...failedRound(victim, stage, rows, free), error };
  const junk = (await readdir(disk.dir)).filter((name) => name !== path.basename(filler));
  const activeAfter = (await tenancy.getTenant(victim.slug).catch(() => undefined))?.status === 'active';
  // A process trusts its cached catalog entry for catalogCacheMs: after that the victim must be served again.
  await sleep(tenancy.config.catalogCacheMs + 200);
  const marker = `${victim.slug}:after-full-disk`;
  const servedAfter = await writeMarker(tenancy, victim.slug, marker).then(
    () => true,
    () => false,
  );
  load.record(victim.slug, marker, servedAfter);
  const victimLost = activeAfter ? (await tallyWrites(tenancy, [victim], load)).lost : rows;

  // Space back: the same delete completes, and its archive brings every acknowledged row back.
  await rm(filler);
  const retryError = await settled(tenancy.deleteTenant(victim.slug, { archive: file }));
  const retried = retryError === undefined && existsSync(file);
  let restoredLost = rows;
  let restoredFailed: Error | undefined;
  if (retried) {
    try {
      const restored = await tenancy.importTenant(file);
      restoredLost = (await tallyWrites(tenancy, [{ ...victim, id: restored.id }], load)).lost;
    } catch (e) {
      restoredFailed = e as Error;
    }
  }
  await load.stop();
  othersErrors.push(...load.errorsBetween(from, Number.POSITIVE_INFINITY, others));
  const clear =
    error instanceof TenancyError && error.message.includes(file) && /no space|ENOSPC/i.test(`${error.message} ${String((error.cause as Error)?.message)}`);
  return {
    strategy: `${victim.strategy} (${stage})`,
    rows,
    free,
    refused: error !== undefined,
    clear,
    ...(error ? { error } : {}),
    junk,
    activeAfter,
    servedAfter,
    victimLost,
    retried,
    ...(retryError ? { retryError } : {}),
    restoredLost,
    ...(restoredFailed ? { restoredFailed } : {}),
  };
}

/** Markers written in one transaction (projects and their tasks), acknowledged together when it commits. */
async function bulkWrite(tenancy: FaultDeployment['tenancy'], load: Load, slug: string, count: number): Promise<void> {
  const prefix = `${slug}:bulk:`;
  await tenancy.withTenant(
    slug,
    (tx) =>
      tx.query(
        `WITH p AS (INSERT INTO projects (name) SELECT $1 || g FROM generate_series(1, $2::int) g RETURNING id, name)
         INSERT INTO tasks (project_id, title) SELECT id, name FROM p`,
        [prefix, count],
      ),
    { role: 'admin' },
  );
  for (let g = 1; g <= count; g++) load.record(slug, `${prefix}${g}`, true);
}

/** A delete that neither finished nor failed in DELETE_LIMIT_MS. */
class Hung extends Error {
  override readonly name = 'Hung';
}

const DELETE_LIMIT_MS = 60_000;

/** The call's error, undefined when it succeeded, or Hung when it did neither in time. */
async function settled(call: Promise<unknown>): Promise<Error | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<Error>((resolve) => {
    timer = setTimeout(() => resolve(new Hung(`deleteTenant neither finished nor failed in ${DELETE_LIMIT_MS / 1000} s`)), DELETE_LIMIT_MS);
  });
  try {
    return await Promise.race([
      call.then(
        () => undefined,
        (e: unknown) => e as Error,
      ),
      limit,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function failedRound(victim: LoadTenant, stage: Stage, rows: number, free: number): Round {
  return {
    strategy: `${victim.strategy} (${stage})`,
    rows,
    free,
    refused: false,
    clear: false,
    junk: [],
    activeAfter: false,
    servedAfter: false,
    victimLost: rows,
    retried: false,
    restoredLost: rows,
  };
}

/**
 * Free space for the table files deleteTenant writes first, but not for the archive packed from them
 * beside them: the delete then fails while packing. Measured on an export of the same rows: the
 * tar inside the .tar.gz gives each table file's size.
 */
async function roomForCopiesOnly(tenancy: FaultDeployment['tenancy'], slug: string, workDir: string): Promise<number> {
  const probe = path.join(workDir, `${slug}-size-probe.tar.gz`);
  await tenancy.exportTenant(slug, probe);
  const gz = await readFile(probe);
  await rm(probe);
  const copies = tarEntrySizes(gunzipSync(gz))
    .filter((e) => e.name.startsWith('tables/'))
    .reduce((n, e) => n + pages(e.size), 0);
  // Half the archive's pages, at least one short of it.
  return copies + Math.max(0, pages(gz.length) / 2 - PAGE);
}

function pages(bytes: number): number {
  return Math.ceil(bytes / PAGE) * PAGE;
}

/** Names and sizes of a ustar archive's entries, from their 512-byte headers. */
function tarEntrySizes(tar: Buffer): { name: string; size: number }[] {
  const entries: { name: string; size: number }[] = [];
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('ascii').replace(/\0/g, '').trim() || '0', 8);
    entries.push({ name, size });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}
