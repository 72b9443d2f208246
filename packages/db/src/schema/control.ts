import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';

/*
 * Control plane: the application's own tables (users, memberships, operators), in the deployment's
 * database. Not tenant data and not the tenancy library's catalog.
 */

export const MEMBERSHIP_ROLES = ['admin', 'member', 'viewer'] as const;
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
 * through the account functions (control-plane migration 0008_accounts), which app_auth may execute; no runtime role
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
    check('memberships_role_valid', sql`${t.role} in ('admin', 'member', 'viewer')`),
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

export const INVITATION_ROLES = ['admin', 'member', 'viewer'] as const;

/**
 * Invitations to an organisation, by email, with a role. The link's token is made by the job queue's worker, which
 * stores only its sha256 here (with its expiry); accepting needs the invited address and creates the membership in the
 * same transaction. Read and written only through the invitation functions of control-plane migration 0010_invitations:
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
