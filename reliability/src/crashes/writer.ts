import type { AppTenancy } from '@repo/db/tenancy';

/** The user the writes are made as (activity entries name one). */
export const WRITER_USER = '00000000-0000-4000-8000-00000000c4a5';

export interface Writes {
  tag: string;
  /** Sequence numbers of the writes whose transaction was acknowledged (COMMIT returned). */
  acknowledged: number[];
  /** Writes that failed: their fate is unknown, so they count neither as lost nor as doubled. */
  failed: number;
}

/**
 * One insert per transaction into the tenant's projects through withTenant, one after the other, until stopped:
 * a tenant in use while it is moved and its mover killed. Each write names itself `<tag> <seq>`.
 */
export function startWriter(tenancy: AppTenancy, slug: string, tag: string, gapMs = 20) {
  const writes: Writes = { tag, acknowledged: [], failed: 0 };
  let stopping = false;
  let seq = 0;
  const loop = (async () => {
    while (!stopping) {
      const n = seq++;
      try {
        await tenancy.withTenant(slug, (tx) => tx.query('insert into projects (name) values ($1)', [`${tag} ${n}`]), {
          role: 'admin',
          userId: WRITER_USER,
        });
        writes.acknowledged.push(n);
      } catch {
        writes.failed++;
      }
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  })();
  return {
    /** Resolves once `n` writes were acknowledged (the pools open, the catalog entry cached). */
    async warmed(n: number): Promise<void> {
      while (writes.acknowledged.length < n && !stopping) await new Promise((resolve) => setTimeout(resolve, 10));
    },
    /** The writes so far; those still in flight are in neither list yet. */
    snapshot(): Writes {
      return { tag, acknowledged: [...writes.acknowledged], failed: writes.failed };
    },
    async stop(): Promise<Writes> {
      stopping = true;
      await loop;
      return writes;
    },
  };
}

/** Acknowledged writes missing from the tenant, and writes present more than once. */
export async function countWrites(tenancy: AppTenancy, slug: string, writes: Writes): Promise<{ lost: number; doubled: number }> {
  const { rows } = await tenancy.queryAs<{ name: string; n: number }>(
    slug,
    'select name, count(*)::int as n from projects where starts_with(name, $1) group by name',
    [`${writes.tag} `],
  );
  const seen = new Map(rows.map((r) => [r.name, r.n]));
  return {
    lost: writes.acknowledged.filter((n) => !seen.has(`${writes.tag} ${n}`)).length,
    doubled: rows.filter((r) => r.n > 1).length,
  };
}
