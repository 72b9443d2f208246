import type { TenantRef } from './tenant-ref';
import { rowId } from './ids';

/** One statement of a workload, in the three forms the approaches send. */
export interface Statement {
  /** Explicit `WHERE tenant_id = $1`: the baseline's form. */
  explicit: { text: string; values: unknown[] };
  /** No tenant in the SQL: the policy (product or seed) filters. The seeds' insert names tenant_id (their apps do). */
  context: { text: string; values: unknown[] };
  seed: { text: string; values: unknown[] };
  /** Returns why the rows are wrong, or undefined when they are right. */
  check(rows: Record<string, unknown>[]): string | undefined;
}

export interface Workload {
  key: WorkloadKey;
  label: string;
  /** A fresh statement for tenant `t`; `rnd` in [0, 1) picks the row. */
  statement(t: TenantRef, rnd: () => number): Statement;
}

export type WorkloadKey = 'point' | 'newest' | 'count' | 'insert' | 'join';

const TASK_COLUMNS = 'tenant_id, id, project_id, title, status, created_at';

/**
 * The ORDER BY of the newest-first lists, matched to the product's (tenant_id, created_at ...)
 * index so the index can serve it. Since tenant migration 0002 that index is plain DESC (NULLS
 * FIRST), what `ORDER BY created_at DESC` asks for; a schema from before it (BENCH_DATABASE_URL)
 * has DESC NULLS LAST, which only a query spelling NULLS LAST can use. Set from the index
 * definition when the data is loaded.
 */
let newestOrder = 'DESC';
export function setNewestOrder(order: 'DESC' | 'DESC NULLS LAST'): void {
  newestOrder = order;
}
export function getNewestOrder(): string {
  return newestOrder;
}

function pick(n: number, rnd: () => number): number {
  return 1 + Math.floor(rnd() * n);
}

function sameTenant(rows: Record<string, unknown>[], t: TenantRef): string | undefined {
  for (const row of rows) if (row.tenant_id !== t.id) return `a row of tenant ${String(row.tenant_id)} in a call for ${t.id}`;
  return undefined;
}

function listCheck(t: TenantRef) {
  return (rows: Record<string, unknown>[]) => {
    if (rows.length < Math.min(50, t.nTasks) || rows.length > 50) return `${rows.length} rows, expected ${Math.min(50, t.nTasks)}-50`;
    return sameTenant(rows, t);
  };
}

export const WORKLOADS: Workload[] = [
  {
    key: 'point',
    label: 'point lookup by id',
    statement(t, rnd) {
      const id = rowId('t', t.idx, pick(t.nTasks, rnd));
      return {
        explicit: { text: `SELECT ${TASK_COLUMNS} FROM tasks WHERE tenant_id = $1 AND id = $2`, values: [t.id, id] },
        context: { text: `SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1`, values: [id] },
        seed: { text: `SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1`, values: [id] },
        check: (rows) => (rows.length !== 1 ? `${rows.length} rows, expected 1` : rows[0]!.id !== id ? 'another row' : sameTenant(rows, t)),
      };
    },
  },
  {
    key: 'newest',
    label: 'newest 50 of a tenant',
    statement(t) {
      const text = `SELECT tenant_id, id, title, status, created_at FROM tasks ORDER BY created_at ${newestOrder} LIMIT 50`;
      return {
        explicit: {
          text: `SELECT tenant_id, id, title, status, created_at FROM tasks WHERE tenant_id = $1 ORDER BY created_at ${newestOrder} LIMIT 50`,
          values: [t.id],
        },
        context: { text, values: [] },
        seed: { text, values: [] },
        check: listCheck(t),
      };
    },
  },
  {
    key: 'count',
    label: "count of a tenant's tasks",
    statement(t) {
      const text = 'SELECT count(*)::int AS n FROM tasks';
      return {
        explicit: { text: 'SELECT count(*)::int AS n FROM tasks WHERE tenant_id = $1', values: [t.id] },
        context: { text, values: [] },
        seed: { text, values: [] },
        check: (rows) => {
          const n = rows[0]?.n as number | undefined;
          // Inserts only add rows; any approach may have inserted for this tenant meanwhile.
          if (n === undefined || n < t.nTasks || n > t.nTasks + t.inserts.started)
            return `count ${String(n)}, expected ${t.nTasks}-${t.nTasks + t.inserts.started}`;
          return undefined;
        },
      };
    },
  },
  {
    key: 'insert',
    label: 'insert a task',
    statement(t, rnd) {
      const project = rowId('p', t.idx, pick(t.nProjects, rnd));
      const title = `bench insert for ${t.slug}`;
      t.inserts.started++;
      return {
        explicit: {
          text: 'INSERT INTO tasks (tenant_id, project_id, title, created_by) VALUES ($1, $2, $3, $4) RETURNING tenant_id, id',
          values: [t.id, project, title, t.userId],
        },
        // The product's idiom: tenant_id and created_by come from the context (column defaults).
        context: { text: 'INSERT INTO tasks (project_id, title) VALUES ($1, $2) RETURNING tenant_id, id', values: [project, title] },
        seed: {
          text: 'INSERT INTO tasks (tenant_id, project_id, title, created_by) VALUES ($1, $2, $3, $4) RETURNING tenant_id, id',
          values: [t.id, project, title, t.userId],
        },
        check: (rows) => (rows.length !== 1 ? `${rows.length} rows inserted, expected 1` : sameTenant(rows, t)),
      };
    },
  },
  {
    key: 'join',
    label: 'tasks joined to projects',
    statement(t) {
      const text = `SELECT t.tenant_id, t.id, t.title, p.name AS project FROM tasks t JOIN projects p ON p.id = t.project_id ORDER BY t.created_at ${newestOrder} LIMIT 50`;
      return {
        explicit: {
          text: `SELECT t.tenant_id, t.id, t.title, p.name AS project FROM tasks t JOIN projects p ON p.tenant_id = t.tenant_id AND p.id = t.project_id
                 WHERE t.tenant_id = $1 ORDER BY t.created_at ${newestOrder} LIMIT 50`,
          values: [t.id],
        },
        context: { text, values: [] },
        seed: { text, values: [] },
        check: listCheck(t),
      };
    },
  },
];
