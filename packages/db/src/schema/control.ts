import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';

import { PLANS } from '../plans/catalog';

/*
 * Control plane: the application's own tables (users, memberships, operators), in the deployment's
 * database. Not tenant data and not the tenancy library's catalog.
 */

/**
 * Strongest first. An owner may do everything an admin may, and also change or remove owners and make someone owner;
 * a tenant always keeps one owner. The tenant tables' policies (schema/tenant.ts) and the member functions (control-plane
 * migration 0008_owner_role) enforce these, the web's permissions module only mirrors them.
 */
export const MEMBERSHIP_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number];

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** argon2id, PHC string format. */
    passwordHash: text('password_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * When the user proved they read mail at `email` (the sign-up link, or a password reset). Null: signed up and not
     * confirmed yet, and such a user cannot sign in. Users made otherwise (the seed, the admin app) count as confirmed.
     */
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }).defaultNow(),
  },
  (t) => [uniqueIndex('users_email_key').on(sql`lower(${t.email})`)],
);

export const ACCOUNT_TOKEN_PURPOSES = ['verify-email', 'reset-password'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/**
 * The emailed links' tokens: only their sha256 (hex) is stored, each is used once and expires. Written and read only
 * through the account functions (control-plane migration 0011_accounts), which app_auth may execute; no runtime role
 * may read the table.
 */
export const accountTokens = pgTable(
  'account_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ACCOUNT_TOKEN_PURPOSES }).notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('account_tokens_hash_key').on(t.tokenHash),
    index('account_tokens_user_idx').on(t.userId),
    check('account_tokens_purpose_valid', sql`${t.purpose} in ('verify-email', 'reset-password')`),
    check('account_tokens_hash_format', sql`${t.tokenHash} ~ '^[0-9a-f]{64}$'`),
  ],
);

export const memberships = pgTable(
  'memberships',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** References tenancy.tenants(id); that foreign key is added in a custom migration (drizzle does not own the catalog). */
    tenantId: uuid('tenant_id').notNull(),
    role: text('role', { enum: MEMBERSHIP_ROLES }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'memberships_pkey', columns: [t.userId, t.tenantId] }),
    index('memberships_tenant_idx').on(t.tenantId),
    check('memberships_role_valid', sql`${t.role} in ('owner', 'admin', 'member', 'viewer')`),
  ],
);

export const operators = pgTable(
  'operators',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('operators_email_key').on(sql`lower(${t.email})`)],
);

/**
 * Failed sign-in attempts per account and per client address, counted by rate-limiter-flexible's PostgreSQL store
 * (its table layout): the limits hold across processes and restarts. Keys are hashes (`web:account:<sha256>`), never
 * an email or an address. Written by the sign-in roles only (app_auth for the web, app_operator for the admin).
 */
export const signInLimits = pgTable(
  'sign_in_limits',
  {
    key: varchar('key', { length: 255 }).primaryKey(),
    points: integer('points').notNull().default(0),
    /** Milliseconds since the epoch when the window of this key ends. */
    expire: bigint('expire', { mode: 'number' }),
  },
  (t) => [index('sign_in_limits_expire_idx').on(t.expire)],
);

/**
 * The sessions of the web's users and of the admin's operators: the id travels in the session cookie (a JWT) and is
 * checked on every request, so a session ends server-side when its user signs out, stays idle or reaches its maximum
 * age, and when its user is removed from a tenant or changes password (triggers, control-plane migration 0006).
 * Written by the sign-in roles only (app_auth: user_sessions; app_operator: operator_sessions).
 */
const sessionColumns = {
  id: uuid('id').primaryKey().defaultRandom(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  /** The absolute end: sign-in time plus SESSION_MAX_AGE_SECONDS. */
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  endedAt: timestamp('ended_at', { withTimezone: true }),
  /** signed-out, membership-removed, password-changed. */
  endReason: text('end_reason'),
};

export const userSessions = pgTable(
  'user_sessions',
  {
    ...sessionColumns,
    accountId: uuid('account_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [index('user_sessions_account_idx').on(t.accountId)],
);

export const operatorSessions = pgTable(
  'operator_sessions',
  {
    ...sessionColumns,
    accountId: uuid('account_id')
      .notNull()
      .references(() => operators.id, { onDelete: 'cascade' }),
  },
  (t) => [index('operator_sessions_account_idx').on(t.accountId)],
);

/**
 * The plan of each tenant (free, business, enterprise: @repo/db/plans, which also says where each places a tenant). No
 * row means free, so a tenant made by sign-up needs none. `pending_plan` is a change asked for and not yet known to
 * be done (see src/plans/change.ts). Read and written by app_operator (the admin app) and the owner (the CLI);
 * app_user has no right on it. References tenancy.tenants(id), added in the same migration (drizzle does not own
 * the catalog).
 */
export const tenantPlans = pgTable(
  'tenant_plans',
  {
    tenantId: uuid('tenant_id').primaryKey(),
    plan: text('plan', { enum: PLANS }).notNull(),
    pendingPlan: text('pending_plan', { enum: PLANS }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  () => [
    check('tenant_plans_plan_valid', sql`plan in ('free', 'business', 'enterprise')`),
    check('tenant_plans_pending_plan_valid', sql`pending_plan in ('free', 'business', 'enterprise')`),
  ],
);

export const API_KEY_SCOPES = ['read', 'write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/**
 * Per-organisation API keys. A key resolves its tenant before any tenant context exists, so it lives here beside the
 * catalog. The secret is never stored: `secret_hash` is the sha256 (hex) of the whole key, and `prefix` (its public start,
 * shown in lists) identifies it to people. No role may read the table: tenant requests create, list and revoke keys
 * through SECURITY DEFINER functions scoped to the verified tenant context, and app_auth resolves a presented key
 * through public.resolve_api_key (control-plane migration 0009_api_keys).
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** References tenancy.tenants(id) (ON DELETE CASCADE), added in the migration: drizzle does not own the catalog. */
    tenantId: uuid('tenant_id').notNull(),
    prefix: text('prefix').notNull(),
    secretHash: text('secret_hash').notNull(),
    scope: text('scope', { enum: API_KEY_SCOPES }).notNull(),
    name: text('name').notNull(),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_keys_prefix_key').on(t.prefix),
    uniqueIndex('api_keys_secret_hash_key').on(t.secretHash),
    index('api_keys_tenant_idx').on(t.tenantId, t.createdAt),
    check('api_keys_scope_valid', sql`${t.scope} in ('read', 'write')`),
    check('api_keys_name_length', sql`length(${t.name}) between 1 and 100`),
    check('api_keys_prefix_format', sql`${t.prefix} ~ '^tk_[A-Za-z0-9]{8}$'`),
    check('api_keys_secret_hash_format', sql`${t.secretHash} ~ '^[0-9a-f]{64}$'`),
  ],
);

/**
 * Requests per API key, counted by rate-limiter-flexible's PostgreSQL store (its table layout, as sign_in_limits) under
 * the key's id. Written by app_auth only: SQL injected into a tenant request cannot lift a key's limit.
 */
export const apiRateLimits = pgTable(
  'api_rate_limits',
  {
    key: varchar('key', { length: 255 }).primaryKey(),
    points: integer('points').notNull().default(0),
    expire: bigint('expire', { mode: 'number' }),
  },
  (t) => [index('api_rate_limits_expire_idx').on(t.expire)],
);

export const INVITATION_ROLES = ['admin', 'member', 'viewer'] as const;

/**
 * Invitations to an organisation, by email, with a role. The link's token is made by the job queue's worker, which
 * stores only its sha256 here (with its expiry); accepting needs the invited address and creates the membership in the
 * same transaction. Read and written only through the invitation functions of control-plane migration 0013_invitations:
 * an organisation's admins through its tenant context (app_user), the link's holder through app_auth.
 */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** References tenancy.tenants(id) on delete cascade (added in the custom migration). */
    tenantId: uuid('tenant_id').notNull(),
    email: text('email').notNull(),
    role: text('role', { enum: INVITATION_ROLES }).notNull(),
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    tokenHash: text('token_hash'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    acceptedBy: uuid('accepted_by').references(() => users.id, { onDelete: 'set null' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('invitations_token_hash_key').on(t.tokenHash),
    index('invitations_tenant_idx').on(t.tenantId),
    check('invitations_role_valid', sql`${t.role} in ('admin', 'member', 'viewer')`),
    check('invitations_hash_format', sql`${t.tokenHash} ~ '^[0-9a-f]{64}$'`),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Membership = typeof memberships.$inferSelect;
export type Operator = typeof operators.$inferSelect;
