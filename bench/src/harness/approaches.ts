import type { AppTenancy } from '@repo/db/tenancy';
import type { StrategyName } from '@repo/tenancy';
import pg from 'pg';
import { pidTableSetQueryReset, sessionSetOneString, sessionSetThenQuery } from '../peers/seeds';
import type { TenantRef } from './tenant-ref';
import type { Statement } from './workloads';

/** How one approach sends a call of one or more statements for one tenant; resolves with each statement's rows. */
export type CallFn = (t: TenantRef, statements: Statement[]) => Promise<Record<string, unknown>[][]>;

export interface Approach {
  key: string;
  label: string;
  /** One line for the legend under the table. */
  detail: string;
  /** Statements per call: 1, or 3 for the transaction-of-three comparisons. */
  statements: 1 | 3;
  call: CallFn;
}

const CONTEXT = (t: TenantRef) => ({ role: 'member', userId: t.userId });

export function whereApproach(pool: pg.Pool): Approach {
  return {
    key: 'where',
    label: 'WHERE tenant_id = $1 (baseline)',
    detail: 'one statement, autocommit, a BYPASSRLS role: no policy runs',
    statements: 1,
    call: async (_t, [s]) => [(await pool.query(s!.explicit.text, s!.explicit.values)).rows],
  };
}

/** BEGIN, the statements, COMMIT, each awaited: what a drizzle transaction sends. */
export function whereTxApproach(pool: pg.Pool, statements: 1 | 3): Approach {
  return {
    key: statements === 1 ? 'where-tx' : 'where-tx-3',
    label: statements === 1 ? 'WHERE in BEGIN/COMMIT' : 'WHERE ×3 in BEGIN/COMMIT (baseline)',
    detail: 'BEGIN, the statement(s), COMMIT, each awaited: what a drizzle transaction sends; no RLS',
    statements,
    call: async (_t, list) => {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const out: Record<string, unknown>[][] = [];
        for (const s of list) out.push((await client.query(s.explicit.text, s.explicit.values)).rows);
        await client.query('COMMIT');
        return out;
      } catch (error) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}

/**
 * The statement a product approach sends: the policy alone, or also the explicit tenant filter
 * (`WHERE tenant_id = $1`, tx.tenant.id), which the planner sees with that tenant's own statistics
 * while the policy still enforces.
 */
export type ProductForm = 'policy' | 'filtered';
const FILTERED = ', tenant filter';
const formOf = (s: Statement, form: ProductForm) => (form === 'filtered' ? s.explicit : s.context);

export function queryAsApproach(tenancy: AppTenancy, strategy: StrategyName, variant = '', form: ProductForm = 'policy'): Approach {
  const suffix = `${variant ? `, ${variant}` : ''}${form === 'filtered' ? FILTERED : ''}`;
  return {
    key: `queryAs-${strategy}${suffix ? `-${suffix.replace(/[^a-z0-9]+/gi, '-').replace(/^-+/, '')}` : ''}`,
    label: `queryAs ${strategy}${suffix}`,
    detail: `tenancy.queryAs(): context and statement in one write, one Sync; signed token verified by the policy${variant ? `; ${variant}` : ''}${form === 'filtered' ? '; the statement also says WHERE tenant_id = $1' : ''}`,
    statements: 1,
    call: async (t, [s]) => [(await tenancy.queryAs(t.id, formOf(s!, form).text, formOf(s!, form).values, CONTEXT(t))).rows],
  };
}

export function withTenantApproach(tenancy: AppTenancy, strategy: StrategyName, statements: 1 | 3, form: ProductForm = 'policy'): Approach {
  const suffix = form === 'filtered' ? FILTERED : '';
  return {
    key: `withTenant-${strategy}${statements === 3 ? '-3' : ''}${suffix ? '-tenant-filter' : ''}`,
    label: `${statements === 1 ? `withTenant ${strategy}` : `withTenant ${strategy} ×3`}${suffix}`,
    detail: `tenancy.withTenant(): BEGIN and the signed context ride with the first statement, then COMMIT${form === 'filtered' ? '; each statement also says WHERE tenant_id = $1 (tx.tenant.id)' : ''}`,
    statements,
    call: (t, list) =>
      tenancy.withTenant(
        t.id,
        async (tx) => {
          const out: Record<string, unknown>[][] = [];
          for (const s of list) out.push((await tx.query(formOf(s, form).text, formOf(s, form).values)).rows);
          return out;
        },
        CONTEXT(t),
      ),
  };
}

const seedCalls = (list: Statement[]) => list.map((s) => s.seed);

export function seedApproaches(pools: { setting001: pg.Pool; setting002: pg.Pool; s003: pg.Pool; s004: pg.Pool }): Approach[] {
  return [
    {
      key: 'seed-001',
      label: 'seed 001: session SET, then query',
      detail: 'SET app.current_tenant_id (session level), then the query, awaited one by one; policy tenant_id = current_setting(...)::uuid, unwrapped',
      statements: 1,
      call: async (t, list) => (await sessionSetThenQuery(pools.setting001, t.id, seedCalls(list))).map((r) => r.rows),
    },
    {
      key: 'seed-002',
      label: 'seed 002: "SET SESSION; query" string',
      detail: 'seed 002\'s queryAsUser: "SET SESSION ...; <query>" as one simple-protocol string, values inlined as escaped literals; same unwrapped policy',
      statements: 1,
      call: async (t, list) => (await sessionSetOneString(pools.setting002, t.id, seedCalls(list))).map((r) => r.rows),
    },
    {
      key: 'seed-003',
      label: 'seed 003: plpgsql fn, join policy',
      detail:
        'session SET, then the query; policy calls plpgsql current_tenant_id() (EXCEPTION block, default VOLATILE); tasks filtered by project_id IN (projects of the tenant)',
      statements: 1,
      call: async (t, list) => (await sessionSetThenQuery(pools.s003, t.id, seedCalls(list))).map((r) => r.rows),
    },
    {
      key: 'seed-004',
      label: 'seed 004: pid-keyed table',
      detail:
        'set_tenant_id(id, password) (bcrypt check, upsert into a pid-keyed table), the query, set_tenant_id(-1); policy calls SECURITY DEFINER get_tenant_id()',
      statements: 1,
      call: async (t, list) => (await pidTableSetQueryReset(pools.s004, t.id, seedCalls(list))).map((r) => r.rows),
    },
  ];
}
