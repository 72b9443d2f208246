import { createHash } from 'node:crypto';

/**
 * Row ids are derived from (kind, source tenant index, row number) the same way in SQL and here, so
 * a caller can name an existing row without the client holding a million ids, and a tenant
 * mirrored into a schema or a database of its own holds the very same ids.
 * SQL: md5(kind || ':' || idx || ':' || n)::uuid
 */
export function rowId(kind: 'p' | 't', idx: number, n: number): string {
  const hex = createHash('md5').update(`${kind}:${idx}:${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export const ROW_ID_SQL = (kind: 'p' | 't', idx: string, n: string) => `md5('${kind}:' || ${idx} || ':' || ${n})::uuid`;

/** A small, fast, seedable PRNG (mulberry32): the same sequence every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
