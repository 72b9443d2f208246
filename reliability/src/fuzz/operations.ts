import { comments, projects, tasks } from '@repo/db/schema';
import { TenancyError, type ContextOptions, type TenantTx } from '@repo/tenancy';
import { desc, eq } from 'drizzle-orm';
import type pg from 'pg';
import type { Random } from '../random';
import type { Caller } from './deployment';
import type { Ledger, RowEntry, Table } from './ledger';
import { marker } from './markers';
import type { Tally } from './tally';

/** A tenant as the fuzzer drives it: `strategy` is where the mover last put it. */
export interface FuzzTenant {
  slug: string;
  id: string;
  /** The tenant's admin (writes) and another member (reads): control-plane user ids the context carries. */
  admin: string;
  member: string;
  strategy: 'rls' | 'schema' | 'database';
}

export interface OpContext {
  caller: Caller;
  tenant: FuzzTenant;
  ledger: Ledger;
  tally: Tally;
  random: Random;
}

/** The text column of each table, which carries the marker. */
export const TEXT_COLUMN: Record<Table, string> = { projects: 'name', tasks: 'title', comments: 'body' };
const ROW_COLUMNS = [['tenant_id', 'text']] as const;

const READ_SQL = {
  projects: 'select tenant_id, id, name from projects order by created_at desc limit 20',
  tasks: 'select tenant_id, id, title from tasks order by created_at desc limit 20',
  // The joins name no tenant_id: RLS filters every table of the join.
  joined: `select p.tenant_id as p_tenant, p.name, t.tenant_id as t_tenant, t.title, c.tenant_id as c_tenant, c.body
    from comments c join tasks t on t.id = c.task_id join projects p on p.id = t.project_id
    order by c.created_at desc limit 20`,
  // The newest projects with their tasks, if any: a left join, so a project without tasks comes back with nulls.
  projectTasks: `select p.tenant_id as p_tenant, p.name, t.tenant_id as t_tenant, t.title
    from (select tenant_id, id, name, created_at from projects order by created_at desc limit 10) p
    left join tasks t on t.project_id = p.id order by p.created_at desc limit 30`,
} as const;
const READ_COLUMNS: Record<keyof typeof READ_SQL, readonly (readonly [string, string])[]> = {
  projects: [['tenant_id', 'name']],
  tasks: [['tenant_id', 'title']],
  joined: [
    ['p_tenant', 'name'],
    ['t_tenant', 'title'],
    ['c_tenant', 'body'],
  ],
  // A project without tasks has null task columns (a left join): Tally.checkRows skips an absent side.
  projectTasks: [
    ['p_tenant', 'name'],
    ['t_tenant', 'title'],
  ],
};

const reader = (t: FuzzTenant, random: Random): ContextOptions => ({ role: random.pick(['viewer', 'member', 'admin']), userId: t.member });
const writer = (t: FuzzTenant): ContextOptions => ({ role: 'admin', userId: t.admin });

/** A read through withTenant and tx.query: raw SQL in a tenant transaction. */
export async function readSql(op: OpContext): Promise<void> {
  const which = op.random.pick(['projects', 'tasks', 'joined', 'projectTasks'] as const);
  const rows = await op.caller.tenancy.withTenant(op.tenant.slug, async (tx) => (await tx.query(READ_SQL[which])).rows, reader(op.tenant, op.random));
  check(op, rows, which, `sql ${which}`);
}

/** The same reads through queryAs: one statement, one implicit transaction. */
export async function readQueryAs(op: OpContext): Promise<void> {
  const which = op.random.pick(['projects', 'tasks', 'joined', 'projectTasks'] as const);
  const { rows } = await op.caller.tenancy.queryAs(op.tenant.slug, READ_SQL[which], [], reader(op.tenant, op.random));
  check(op, rows, which, `queryAs ${which}`);
}

/** Reads as the apps write them: drizzle over the tenant transaction, a list and a join. */
export async function readDrizzle(op: OpContext): Promise<void> {
  const join = op.random.chance(0.5);
  const rows = await op.caller.tenancy.withTenant(
    op.tenant.slug,
    async (tx): Promise<Record<string, unknown>[]> =>
      join
        ? await tx.db
            .select({ t_tenant: tasks.tenantId, title: tasks.title, p_tenant: projects.tenantId, name: projects.name })
            .from(tasks)
            .innerJoin(projects, eq(projects.id, tasks.projectId))
            .orderBy(desc(tasks.createdAt))
            .limit(20)
        : await tx.db.select({ tenant_id: projects.tenantId, name: projects.name }).from(projects).orderBy(desc(projects.createdAt)).limit(20),
    reader(op.tenant, op.random),
  );
  const columns: readonly (readonly [string, string])[] = join
    ? [
        ['t_tenant', 'title'],
        ['p_tenant', 'name'],
      ]
    : [['tenant_id', 'name']];
  op.tally.checkRows(rows, columns, op.tenant, `drizzle ${join ? 'join' : 'projects'}`, op.caller.pooler);
}

function check(op: OpContext, rows: Record<string, unknown>[], which: keyof typeof READ_SQL, name: string): void {
  op.tally.checkRows(rows, READ_COLUMNS[which], op.tenant, name, op.caller.pooler);
}

type Via = 'sql' | 'drizzle' | 'queryAs';

/**
 * A write's outcome: committed (the call resolved), refused (it failed before COMMIT: nothing was written), or
 * unknown (it failed at or after COMMIT). Only a committed write is acknowledged.
 */
class Outcome {
  reachedCommit = false;
}

/** Runs `work` in a tenant transaction as the tenant's admin; marks when `work` is done, so a failure after it is at COMMIT. */
function inTenant<T>(op: OpContext, outcome: Outcome, work: (tx: TenantTx) => Promise<T>): Promise<T> {
  return op.caller.tenancy.withTenant(
    op.tenant.slug,
    async (tx) => {
      const result = await work(tx);
      outcome.reachedCommit = true;
      return result;
    },
    writer(op.tenant),
  );
}

/** One statement through queryAs: its implicit transaction commits at the Sync, so only a lost connection leaves it unknown. */
async function once(op: OpContext, outcome: Outcome, text: string, params: unknown[]): Promise<pg.QueryResult> {
  try {
    return await op.caller.tenancy.queryAs(op.tenant.slug, text, params, writer(op.tenant));
  } catch (error) {
    // A refusal by the server (a SQLSTATE) or by the library ended nothing that committed; a lost connection may have.
    if ((error as { code?: string }).code === undefined && !(error instanceof TenancyError)) outcome.reachedCommit = true;
    throw error;
  }
}

type Written = { tenant_id: string; id: string; text: string };

const INSERT_SQL: Record<Table, string> = {
  projects: 'insert into projects (name) values ($1) returning tenant_id, id, name as text',
  tasks: 'insert into tasks (title, project_id) values ($1, $2) returning tenant_id, id, title as text',
  comments: 'insert into comments (body, task_id) values ($1, $2) returning tenant_id, id, body as text',
};
const UPDATE_SQL: Record<Table, string> = {
  projects: 'update projects set name = $1, updated_at = now() where id = $2 returning tenant_id, id, name as text',
  tasks: 'update tasks set title = $1, updated_at = now() where id = $2 returning tenant_id, id, title as text',
  comments: 'update comments set body = $1 where id = $2 returning tenant_id, id, body as text',
};
const DELETE_SQL: Record<Table, string> = {
  projects: 'delete from projects where id = $1 returning tenant_id, id, name as text',
  tasks: 'delete from tasks where id = $1 returning tenant_id, id, title as text',
  comments: 'delete from comments where id = $1 returning tenant_id, id, body as text',
};

/** Inserts a row of `table` (under a reserved parent for tasks and comments); records it once committed. */
export async function insert(op: OpContext, table: Table): Promise<void> {
  const parentTable: Table | null = table === 'projects' ? null : table === 'tasks' ? 'projects' : 'tasks';
  const parent = (parentTable && op.ledger.reserve(op.random, op.tenant.slug, parentTable)) || null;
  if (parentTable && !parent) return insert(op, 'projects');
  const row = op.ledger.newRow();
  const text = marker(op.tenant.slug, row, 0);
  const params = parent ? [text, parent.id] : [text];
  const via: Via = op.random.pick(table === 'projects' ? (['sql', 'drizzle', 'queryAs'] as const) : (['sql', 'queryAs'] as const));
  const outcome = new Outcome();
  try {
    const written =
      via === 'drizzle'
        ? await inTenant(op, outcome, async (tx) => {
            const [r] = await tx.db.insert(projects).values({ name: text }).returning({ tenant_id: projects.tenantId, id: projects.id, text: projects.name });
            return [r!];
          })
        : via === 'queryAs'
          ? (await once(op, outcome, INSERT_SQL[table], params)).rows
          : await inTenant(op, outcome, async (tx) => (await tx.query(INSERT_SQL[table], params)).rows);
    const [w] = written as Written[];
    op.tally.checkRows([w!], ROW_COLUMNS, op.tenant, `insert ${table} ${via}`, op.caller.pooler);
    op.ledger.inserted(table, op.tenant.slug, row, w!.id, parent);
  } catch (error) {
    if (outcome.reachedCommit) op.ledger.insertUnknown(op.tenant.slug, row);
    throw error;
  } finally {
    if (parent) op.ledger.release(parent);
  }
}

/** A project, a task and a comment in one transaction: three acknowledged inserts, or none. */
export async function insertTree(op: OpContext): Promise<void> {
  const rows = [op.ledger.newRow(), op.ledger.newRow(), op.ledger.newRow()] as const;
  const [p, t, c] = rows.map((row) => marker(op.tenant.slug, row, 0));
  const drizzle = op.random.chance(0.5);
  const outcome = new Outcome();
  try {
    const written = await inTenant(op, outcome, async (tx): Promise<Written[]> => {
      if (drizzle) {
        const [project] = await tx.db.insert(projects).values({ name: p! }).returning({ tenant_id: projects.tenantId, id: projects.id, text: projects.name });
        const [task] = await tx.db
          .insert(tasks)
          .values({ title: t!, projectId: project!.id })
          .returning({ tenant_id: tasks.tenantId, id: tasks.id, text: tasks.title });
        const [comment] = await tx.db
          .insert(comments)
          .values({ body: c!, taskId: task!.id })
          .returning({ tenant_id: comments.tenantId, id: comments.id, text: comments.body });
        return [project!, task!, comment!];
      }
      const project = (await tx.query<Written>(INSERT_SQL.projects, [p])).rows[0]!;
      const task = (await tx.query<Written>(INSERT_SQL.tasks, [t, project.id])).rows[0]!;
      const comment = (await tx.query<Written>(INSERT_SQL.comments, [c, task.id])).rows[0]!;
      return [project, task, comment];
    });
    op.tally.checkRows(written as unknown as Record<string, unknown>[], ROW_COLUMNS, op.tenant, `insert tree ${drizzle ? 'drizzle' : 'sql'}`, op.caller.pooler);
    const project = op.ledger.inserted('projects', op.tenant.slug, rows[0], written[0]!.id, null);
    const task = op.ledger.inserted('tasks', op.tenant.slug, rows[1], written[1]!.id, project);
    op.ledger.inserted('comments', op.tenant.slug, rows[2], written[2]!.id, task);
  } catch (error) {
    if (outcome.reachedCommit) for (const row of rows) op.ledger.insertUnknown(op.tenant.slug, row);
    throw error;
  }
}

/** Changes a reserved row's text to a new version of its marker; acknowledged once committed. */
export async function update(op: OpContext, table: Table): Promise<void> {
  const entry = op.ledger.reserve(op.random, op.tenant.slug, table);
  if (!entry) return readSql(op);
  const version = op.ledger.newVersion();
  const text = marker(op.tenant.slug, entry.row, version);
  const via: Via = op.random.pick(table === 'projects' ? (['sql', 'drizzle', 'queryAs'] as const) : (['sql', 'queryAs'] as const));
  const outcome = new Outcome();
  try {
    const written = await change(op, via, entry, () =>
      via === 'drizzle'
        ? inTenant(op, outcome, (tx) =>
            tx.db
              .update(projects)
              .set({ name: text, updatedAt: new Date() })
              .where(eq(projects.id, entry.id))
              .returning({ tenant_id: projects.tenantId, id: projects.id, text: projects.name }),
          )
        : via === 'queryAs'
          ? once(op, outcome, UPDATE_SQL[table], [text, entry.id]).then((r) => r.rows as Written[])
          : inTenant(op, outcome, async (tx) => (await tx.query<Written>(UPDATE_SQL[table], [text, entry.id])).rows),
    );
    if (written) op.ledger.updated(entry, version);
  } catch (error) {
    if (outcome.reachedCommit) op.ledger.updateUnknown(entry, version);
    throw error;
  } finally {
    op.ledger.release(entry);
  }
}

/** Deletes a reserved row (its children go by cascade); acknowledged once committed. */
export async function remove(op: OpContext, table: Table): Promise<void> {
  const entry = op.ledger.reserve(op.random, op.tenant.slug, table);
  if (!entry) return readSql(op);
  const via: Via = op.random.pick(table === 'projects' ? (['sql', 'drizzle', 'queryAs'] as const) : (['sql', 'queryAs'] as const));
  const outcome = new Outcome();
  try {
    const written = await change(op, via, entry, () =>
      via === 'drizzle'
        ? inTenant(op, outcome, (tx) =>
            tx.db.delete(projects).where(eq(projects.id, entry.id)).returning({ tenant_id: projects.tenantId, id: projects.id, text: projects.name }),
          )
        : via === 'queryAs'
          ? once(op, outcome, DELETE_SQL[table], [entry.id]).then((r) => r.rows as Written[])
          : inTenant(op, outcome, async (tx) => (await tx.query<Written>(DELETE_SQL[table], [entry.id])).rows),
    );
    if (written) op.ledger.deleted(entry);
  } catch (error) {
    if (outcome.reachedCommit) op.ledger.deleteUnknown(entry);
    throw error;
  } finally {
    op.ledger.release(entry);
  }
}

/**
 * Runs an update or a delete of one known row. The row was acknowledged and nothing else writes it, so the statement
 * must find exactly it: finding nothing means an acknowledged write is gone (counted as lost).
 */
async function change(op: OpContext, via: Via, entry: RowEntry, run: () => Promise<Written[]>): Promise<boolean> {
  const rows = await run();
  op.tally.checkRows(rows as unknown as Record<string, unknown>[], ROW_COLUMNS, op.tenant, `${via} change ${entry.table}`, op.caller.pooler);
  if (rows.length !== 1 || rows[0]!.id !== entry.id) {
    op.tally.lostAtWrite++;
    if (op.tally.lostSamples.length < 5)
      op.tally.lostSamples.push(`${entry.table} ${op.tenant.slug}:${entry.row} found ${rows.length} row(s) through ${op.caller.pooler} ${via}`);
    return false;
  }
  return true;
}
