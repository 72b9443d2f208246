import type { Tenant } from '@repo/tenancy';
import pg from 'pg';
import type { FuzzDeployment } from './deployment';
import { key, TABLES, type Ledger } from './ledger';
import { parseMarker } from './markers';
import { TEXT_COLUMN } from './operations';

export interface Verification {
  /** Rows scanned in the tenants' final placements. */
  rowsScanned: number;
  /** Rows in a tenant's placement that are not its own (another tenant's id or marker, or no marker). */
  foreignRows: number;
  /** Acknowledged inserts not found, acknowledged deletes found again, acknowledged updates without their last value. */
  insertsLost: number;
  deletesLost: number;
  updatesLost: number;
  /** A row (by its marker) found more than once. */
  doubled: number;
  /** Rows of writes that failed before COMMIT (so were never acknowledged) found after all. */
  phantoms: number;
  /** Rows of tenants the fuzzer does not drive (they must not carry its markers). */
  othersRows: number;
  /** Rows of a tenant left in the shared tables after it moved out of them. */
  strays: number;
  samples: string[];
}

interface Found {
  count: number;
  id: string;
  version: number;
}

/**
 * After the run, as the superuser, in every tenant's final placement: each acknowledged insert is there exactly once,
 * each acknowledged delete is gone, each acknowledged update left its last value, and nothing else of the fuzzer's is
 * there (a write that failed before COMMIT) or belongs to another tenant.
 */
export async function verifyWrites(deployment: FuzzDeployment, slugs: readonly string[], ledger: Ledger): Promise<Verification> {
  const v: Verification = {
    rowsScanned: 0,
    foreignRows: 0,
    insertsLost: 0,
    deletesLost: 0,
    updatesLost: 0,
    doubled: 0,
    phantoms: 0,
    strays: 0,
    othersRows: 0,
    samples: [],
  };
  const sample = (line: string) => {
    if (v.samples.length < 8) v.samples.push(line);
  };
  const tenants = await Promise.all(slugs.map((slug) => deployment.control.getTenant(slug)));
  const byId = new Map(tenants.map((t) => [t.id, t]));
  const found = new Map<string, Found>();

  /** Scans one placement; `owner` says whose rows it may hold (by the row's tenant_id for the shared tables). */
  const scan = async (database: string | null, schema: string, owner: (tenantId: string) => Tenant | 'stray' | undefined) => {
    for (const table of TABLES) {
      const { rows } = await deployment.superuser<{ tenant_id: string; id: string; text: string }>(
        database,
        `select tenant_id, id, ${TEXT_COLUMN[table]} as text from ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`,
      );
      for (const row of rows) {
        v.rowsScanned++;
        const tenant = owner(row.tenant_id);
        if (tenant === 'stray') {
          v.strays++;
          continue;
        }
        const marker = parseMarker(row.text);
        // The shared tables also hold the rows of tenants the fuzzer never drives (init.sql's demo tenants): not ours.
        if (!tenant && !marker) {
          v.othersRows++;
          continue;
        }
        if (!tenant || row.tenant_id !== tenant.id || marker?.slug !== tenant.slug) {
          v.foreignRows++;
          sample(`foreign row in ${database ?? 'saas'}.${schema}.${table}: tenant_id ${row.tenant_id}, text ${row.text}`);
          continue;
        }
        const k = key(marker.slug, marker.row);
        const seen = found.get(k);
        if (seen) seen.count++;
        else found.set(k, { count: 1, id: row.id, version: marker.version });
      }
    }
  };

  const shared = tenants.find((t) => t.strategy === 'rls');
  await scan(null, shared?.schemaName ?? 'public', (id) => {
    const tenant = byId.get(id);
    if (tenant && tenant.strategy !== 'rls') return 'stray';
    return tenant;
  });
  for (const tenant of tenants.filter((t) => t.strategy !== 'rls')) await scan(tenant.databaseName, tenant.schemaName, () => tenant);

  for (const [k, f] of found) {
    if (f.count > 1) {
      v.doubled++;
      sample(`row ${k} found ${f.count} times`);
    }
  }
  for (const entry of ledger.rows.values()) {
    const k = key(entry.slug, entry.row);
    const f = found.get(k);
    if (entry.state === 'alive' && (!f || f.id !== entry.id)) {
      v.insertsLost++;
      sample(`${entry.table} ${k} acknowledged, ${f ? `found with id ${f.id}` : 'not found'}`);
    } else if (entry.state === 'alive' && f!.version !== entry.version && !entry.maybeVersions.includes(f!.version)) {
      v.updatesLost++;
      sample(`${entry.table} ${k} at version ${f!.version}, acknowledged ${entry.version}`);
    } else if (entry.state === 'deleted' && f) {
      v.deletesLost++;
      sample(`${entry.table} ${k} deleted (acknowledged) but found`);
    }
  }
  for (const k of found.keys()) {
    if (!ledger.rows.has(k) && !ledger.unknownInserts.has(k)) {
      v.phantoms++;
      sample(`row ${k} never acknowledged but found`);
    }
  }
  return v;
}
