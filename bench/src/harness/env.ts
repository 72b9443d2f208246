import pg from 'pg';
import type { BenchConfig } from '../config';
import type { Dataset } from './dataset';
import type { BenchServer, MachineInfo } from './database';

/** What every section gets from main. */
export interface BenchEnv {
  server: BenchServer;
  config: BenchConfig;
  dataset: Dataset;
  machine: MachineInfo;
  log: (line: string) => void;
}

/** Timestamps and dates stay strings: the client parses less, and the process stays light. */
export function keepClientLight(): void {
  for (const oid of [1082, 1114, 1184]) pg.types.setTypeParser(oid, (value: string) => value);
}

/** A pool whose connections are all open before anything is timed. */
export async function warmPool(config: pg.PoolConfig): Promise<pg.Pool> {
  // No idle timeout: a pool waiting for its turn must not reconnect inside a timed round.
  const pool = new pg.Pool({ idleTimeoutMillis: 0, ...config });
  pool.on('error', () => undefined);
  const clients = await Promise.all(Array.from({ length: config.max ?? 10 }, () => pool.connect()));
  for (const client of clients) client.release();
  return pool;
}

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtMs(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0);
}

export function fmtRatio(ratio: number, min: number, max: number): string {
  return `${ratio.toFixed(2)}x (${min.toFixed(2)}–${max.toFixed(2)})`;
}
