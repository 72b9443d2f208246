import { chown, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirError, findFreePort, PortInUseError, startEmbeddedCluster } from '../src/cluster/embedded';

const isRoot = os.userInfo().uid === 0;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function scalar(url: string, sql: string): Promise<unknown> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const result = await client.query(sql);
    return result.rows[0] ? Object.values(result.rows[0])[0] : undefined;
  } finally {
    await client.end();
  }
}

describe('startEmbeddedCluster', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'localdb-cluster-test-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('initialises once, reuses the data on the next start, and stops its process', async () => {
    const dataDir = path.join(scratch, 'reuse', 'pg');
    const first = await startEmbeddedCluster({ dataDir, port: await findFreePort('127.0.0.1'), fsync: false });
    expect(first.created).toBe(true);
    await scalar(first.url(), 'CREATE TABLE kept (id int)');
    await first.stop();
    expect(isAlive(first.pid)).toBe(false);

    const second = await startEmbeddedCluster({ dataDir, port: await findFreePort('127.0.0.1'), fsync: false });
    try {
      expect(second.created).toBe(false);
      expect(await scalar(second.url(), "SELECT to_regclass('kept')::text")).toBe('kept');
    } finally {
      await second.stop();
    }
    expect(isAlive(second.pid)).toBe(false);
  });

  it('refuses a port in use with PortInUseError and creates nothing', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    const dataDir = path.join(scratch, 'busy', 'pg');
    try {
      await expect(startEmbeddedCluster({ dataDir, port })).rejects.toThrow(PortInUseError);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    await expect(readdir(dataDir)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a non-empty directory that holds no cluster, leaving it as it was', async () => {
    const dataDir = path.join(scratch, 'foreign');
    await mkdir(dataDir);
    await writeFile(path.join(dataDir, 'notes.txt'), 'mine');
    await expect(startEmbeddedCluster({ dataDir, port: await findFreePort('127.0.0.1') })).rejects.toThrow(DataDirError);
    expect(await readdir(dataDir)).toEqual(['notes.txt']);
  });

  it.runIf(isRoot)('refuses a cluster directory owned by another OS user', async () => {
    const dataDir = path.join(scratch, 'owned');
    await mkdir(dataDir);
    await writeFile(path.join(dataDir, 'PG_VERSION'), '18\n');
    await chown(dataDir, 65534, 65534);
    await expect(startEmbeddedCluster({ dataDir, port: await findFreePort('127.0.0.1') })).rejects.toThrow(
      /owned by .* but PostgreSQL runs as postgres.*nothing was deleted/,
    );
    expect(await readdir(dataDir)).toEqual(['PG_VERSION']);
  });
});
