import { sql, type SQL } from 'drizzle-orm';
import { check, date, foreignKey, index, jsonb, pgPolicy, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/*
 * Tenant tables. No schema qualifier: the tenancy library places them by search_path in the shared
 * schema (rls tenants), a tenant schema, or a tenant database, from the same migrations.
 */

const currentTenant = sql`tenant_id = (select tenancy.current_tenant_id())`;
/**
 * Every `(select tenancy.current_...())` is one verification of the signed token per statement,
 * about as dear as a point lookup itself (bench section 8): the role is read once, not once per
 * branch. Owners have every right an admin has here; what sets them apart (owners' memberships) lives in the control
 * plane's member functions.
 */
const canWrite: SQL = sql`case (select tenancy.current_app_role()) when 'owner' then true when 'admin' then true when 'member' then created_by = (select tenancy.current_user_id()) else false end`;

/**
 * A support operator's context (role `support`) reads only while an owner or admin's grant of it is live: the grant is
 * checked here, by the database, not only by the app calling support_access_enter() first, so SQL in any other
 * transaction of that context (asking for access, reading its status) reads no tenant row. Other roles pay nothing
 * more: the grant's subquery runs only for `support`, and the role is read once.
 */
const canRead: SQL = sql`case (select tenancy.current_app_role()) when 'support' then exists (select 1 from support_access s where s.operator_id = (select tenancy.current_user_id()) and s.approved_at is not null and s.revoked_at is null and s.expires_at > now()) else true end`;

/**
 * Tenant isolation is one RESTRICTIVE policy for every command; the role rules are PERMISSIVE
 * policies under it, so no role rule can widen past the tenant. Reading is open to every role of
 * the tenant (the restrictive policy already demands a verified context) but a support operator
 * without a live grant (canRead).
 */
function tenantPolicies(table: string) {
  return [
    pgPolicy(`${table}_tenant_isolation`, { as: 'restrictive', for: 'all', to: 'public', using: currentTenant, withCheck: currentTenant }),
    pgPolicy(`${table}_read`, { as: 'permissive', for: 'select', to: 'public', using: canRead }),
    pgPolicy(`${table}_insert`, { as: 'permissive', for: 'insert', to: 'public', withCheck: canWrite }),
    pgPolicy(`${table}_update`, { as: 'permissive', for: 'update', to: 'public', using: canWrite, withCheck: canWrite }),
    pgPolicy(`${table}_delete`, { as: 'permissive', for: 'delete', to: 'public', using: canWrite }),
  ];
}

const tenantColumns = {
  // Unverified claims: the policies check the row against the verified context (tenancy, context-functions.ts).
  tenantId: uuid('tenant_id')
    .notNull()
    .default(sql`tenancy.claimed_tenant_id()`),
  id: uuid('id').notNull().defaultRandom(),
  createdBy: uuid('created_by').default(sql`tenancy.claimed_user_id()`),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
};

export const projects = pgTable(
  'projects',
  {
    ...tenantColumns,
    name: text('name').notNull(),
    description: text('description'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'projects_pkey', columns: [t.tenantId, t.id] }),
    // DESC with NULLS FIRST, PostgreSQL's own default for DESC: a plain `ORDER BY created_at DESC` (drizzle's desc()) can read
    // the index in order. drizzle's index .desc() alone means NULLS LAST, which such a query cannot use.
    index('projects_tenant_created_idx').on(t.tenantId, t.createdAt.desc().nullsFirst()),
    check('projects_name_length', sql`length(${t.name}) between 1 and 200`),
    ...tenantPolicies('projects'),
  ],
);

export const TASK_STATUSES = ['todo', 'doing', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const tasks = pgTable(
  'tasks',
  {
    ...tenantColumns,
    projectId: uuid('project_id').notNull(),
    title: text('title').notNull(),
    status: text('status', { enum: TASK_STATUSES }).notNull().default('todo'),
    assigneeId: uuid('assignee_id'),
    dueDate: date('due_date'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'tasks_pkey', columns: [t.tenantId, t.id] }),
    // Children point at parents by (tenant_id, id): a row can never reference another tenant's row.
    foreignKey({ name: 'tasks_project_fk', columns: [t.tenantId, t.projectId], foreignColumns: [projects.tenantId, projects.id] }).onDelete('cascade'),
    index('tasks_tenant_project_idx').on(t.tenantId, t.projectId, t.createdAt),
    index('tasks_tenant_created_idx').on(t.tenantId, t.createdAt.desc().nullsFirst()),
    index('tasks_tenant_assignee_idx').on(t.tenantId, t.assigneeId),
    check('tasks_status_valid', sql`${t.status} in ('todo', 'doing', 'done')`),
    check('tasks_title_length', sql`length(${t.title}) between 1 and 300`),
    ...tenantPolicies('tasks'),
  ],
);

export const comments = pgTable(
  'comments',
  {
    ...tenantColumns,
    taskId: uuid('task_id').notNull(),
    body: text('body').notNull(),
  },
  (t) => [
    primaryKey({ name: 'comments_pkey', columns: [t.tenantId, t.id] }),
    foreignKey({ name: 'comments_task_fk', columns: [t.tenantId, t.taskId], foreignColumns: [tasks.tenantId, tasks.id] }).onDelete('cascade'),
    index('comments_tenant_task_idx').on(t.tenantId, t.taskId, t.createdAt),
    check('comments_body_length', sql`length(${t.body}) between 1 and 5000`),
    ...tenantPolicies('comments'),
  ],
);

export const ACTIVITY_ACTOR_KINDS = ['user', 'api_key', 'support', 'system'] as const;
export type ActivityActorKind = (typeof ACTIVITY_ACTOR_KINDS)[number];
/** Roles that may read the activity log. */
export const ACTIVITY_READERS = ['owner', 'admin'] as const;

/**
 * Who did what and when, in the tenant's own placement. Written only by the owner's functions of migration 0005
 * (the row triggers and log_activity()), in the transaction of the change itself; the runtime roles may read it
 * (owners and admins) and nothing else: no policy lets them insert, change or delete a row. The owner role may
 * delete, which it does only to remove an rls tenant's rows with the tenant.
 */
export const activityLog = pgTable(
  'activity_log',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    actorId: uuid('actor_id'),
    actorKind: text('actor_kind', { enum: ACTIVITY_ACTOR_KINDS }).notNull(),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: uuid('subject_id'),
    detail: jsonb('detail')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'activity_log_pkey', columns: [t.tenantId, t.id] }),
    index('activity_log_tenant_created_idx').on(t.tenantId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    check('activity_log_actor_kind_valid', sql`${t.actorKind} in ('user', 'api_key', 'support', 'system')`),
    check('activity_log_action_format', sql`${t.action} ~ '^[a-z][a-z_]{0,39}[.][a-z][a-z_]{0,39}$'`),
    check('activity_log_subject_type_format', sql`${t.subjectType} ~ '^[a-z][a-z_]{0,39}$'`),
    // A hostile caller of log_activity() could otherwise fill the log with megabytes per entry.
    check('activity_log_detail_small', sql`jsonb_typeof(${t.detail}) = 'object' and pg_column_size(${t.detail}) <= 2048`),
    pgPolicy('activity_log_tenant_isolation', { as: 'restrictive', for: 'all', to: 'public', using: currentTenant, withCheck: currentTenant }),
    pgPolicy('activity_log_read', {
      as: 'permissive',
      for: 'select',
      to: 'public',
      using: sql`(select tenancy.current_app_role()) in ('owner', 'admin')`,
    }),
    pgPolicy('activity_log_write', { as: 'permissive', for: 'insert', to: 'tenancy_owner', withCheck: sql`true` }),
    pgPolicy('activity_log_remove', { as: 'permissive', for: 'delete', to: 'tenancy_owner', using: sql`true` }),
  ],
);

/** The context role a support operator's reads run as: no write policy admits it, so support access is read-only. */
export const SUPPORT_ROLE = 'support';
/** The longest a support grant lasts, also a check constraint and the approval function's limit (migration 0008). */
export const SUPPORT_MAX_MINUTES = 60;

/**
 * Support access to this tenant: an operator's request (made in a `support` context), an owner's or admin's approval
 * for at most an hour, a revocation. Kept in the tenant's own placement, so the grant is checked in the transaction of
 * every read made under it (support_access_enter(), which also writes the read to the activity log), whatever the
 * placement. Written only by the functions of migration 0008; owners and admins read every grant, an operator their own.
 */
export const supportAccess = pgTable(
  'support_access',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    operatorId: uuid('operator_id').notNull(),
    operatorEmail: text('operator_email').notNull(),
    reason: text('reason').notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
    approvedBy: uuid('approved_by'),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedBy: uuid('revoked_by'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ name: 'support_access_pkey', columns: [t.tenantId, t.id] }),
    index('support_access_tenant_operator_idx').on(t.tenantId, t.operatorId, t.requestedAt.desc().nullsFirst()),
    check('support_access_reason_length', sql`length(${t.reason}) between 1 and 500`),
    check('support_access_email_length', sql`length(${t.operatorEmail}) between 3 and 320`),
    check('support_access_approval_whole', sql`(${t.approvedBy} is null) = (${t.approvedAt} is null) and (${t.approvedAt} is null) = (${t.expiresAt} is null)`),
    check('support_access_at_most_an_hour', sql`${t.expiresAt} > ${t.approvedAt} and ${t.expiresAt} <= ${t.approvedAt} + interval '60 minutes'`),
    check('support_access_revocation_whole', sql`(${t.revokedBy} is null) = (${t.revokedAt} is null)`),
    pgPolicy('support_access_tenant_isolation', { as: 'restrictive', for: 'all', to: 'public', using: currentTenant, withCheck: currentTenant }),
    pgPolicy('support_access_read', {
      as: 'permissive',
      for: 'select',
      to: 'public',
      using: sql`case (select tenancy.current_app_role()) when 'owner' then true when 'admin' then true when 'support' then operator_id = (select tenancy.current_user_id()) else false end`,
    }),
    pgPolicy('support_access_write', { as: 'permissive', for: 'all', to: 'tenancy_owner', using: sql`true`, withCheck: sql`true` }),
  ],
);

/**
 * The roles of the policies above that the tenancy library signs on its own: `admin` for its maintenance inside a
 * tenant (deleting an rls tenant's rows must pass the delete policy), `viewer` for a queryAs that names no role.
 */
export const CONTEXT_ROLES = { maintenance: 'admin', default: 'viewer' } as const;

/** Children before parents: the order an rls tenant's rows are deleted in. */
export const TENANT_TABLES = ['support_access', 'activity_log', 'comments', 'tasks', 'projects'] as const;

export type Project = typeof projects.$inferSelect;
export type NewProject = typeof projects.$inferInsert;
export type Task = typeof tasks.$inferSelect;
export type NewTask = typeof tasks.$inferInsert;
export type Comment = typeof comments.$inferSelect;
export type NewComment = typeof comments.$inferInsert;
export type ActivityEntry = typeof activityLog.$inferSelect;
export type SupportAccess = typeof supportAccess.$inferSelect;
