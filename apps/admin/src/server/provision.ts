import 'server-only';

import { randomBytes } from 'node:crypto';
import { hashPassword } from '@repo/auth/password';
import { recordPlan } from '@repo/db/plan-changes';
import { PLAN_RULE_TEXT, PLAN_STRATEGY, PLANS } from '@repo/db/plans';
import { SLUG_PATTERN, SLUG_RULE_TEXT, type StrategyName, type Tenant } from '@repo/tenancy';
import { z } from 'zod';

import { logger } from '@/lib/logger';
import type { Send } from './ndjson';
import { operatorDb, operatorQuery, operatorTransaction } from './operator-db';
import { findTenant } from './queries/catalog';
import type { Operator } from './session';
import { onLifecycleStep, tenancy } from './tenancy';
import { isTenancyError } from './tenancy-errors';
import type { FieldErrors } from './api';
import { storedText } from './text';

// Create tenant: the tenant through the tenancy library (owner connection) in the placement of the plan chosen, then
// its plan, its first admin, a user and an admin membership, written as app_operator. The plan decides the strategy:
// the console offers no other (a tenant placed against its plan is what the tenant page flags); the CLI's `create
// --strategy` and restores still place tenants freely, and the tenant page then offers to set plan and placement right. Progress goes out as NDJSON events while it runs.

export const createTenantInput = z
  .object({
    slug: z.string().trim().regex(SLUG_PATTERN, SLUG_RULE_TEXT),
    name: storedText(200, 'Enter a name.'),
    plan: z.enum(PLANS, { error: PLAN_RULE_TEXT }),
    adminEmail: z.string().trim().toLowerCase().email('Enter a valid email address.').max(320),
    adminName: storedText(200, "Enter the admin's name."),
    passwordMode: z.enum(['generate', 'set']),
    password: z.string().max(1024, 'At most 1024 characters.').optional(),
  })
  .superRefine((value, ctx) => {
    if (value.passwordMode === 'set' && (value.password ?? '').length < 12) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'Use at least 12 characters, or let the console generate one.' });
    }
  });

export type CreateTenantInput = z.infer<typeof createTenantInput>;

/** Problems the operator can fix in the form, found before anything is created. */
export async function precheck(input: CreateTenantInput): Promise<FieldErrors | null> {
  const errors: FieldErrors = {};
  if (await findTenant(input.slug)) errors.slug = `A tenant "${input.slug}" already exists: pick another slug.`;
  const existing = await findUser(input.adminEmail);
  if (existing && input.passwordMode === 'set') {
    errors.password = `${input.adminEmail} already has an account: choose "generate" to make that account the admin without touching its password.`;
  }
  return Object.keys(errors).length ? errors : null;
}

/** What creating a tenant of this strategy goes through: the library's lifecycle steps, framed by this app's. */
export function provisionSteps(strategy: StrategyName): string[] {
  return ['catalog', ...tenancy().lifecycleSteps(strategy).provision, 'admin.user'];
}

export async function provisionTenant(input: CreateTenantInput, operator: Operator, send: Send): Promise<void> {
  const started = Date.now();
  const strategy = PLAN_STRATEGY[input.plan];
  const steps = provisionSteps(strategy);
  send({ type: 'start', steps });
  send({ type: 'step', step: 'catalog', index: 0, total: steps.length });
  const stop = onLifecycleStep(input.slug, (step) => send({ type: 'step', step, index: steps.indexOf(step), total: steps.length }));
  let tenant: Tenant;
  try {
    tenant = await tenancy().createTenant({ slug: input.slug, name: input.name, strategy });
  } catch (error) {
    send(failure(error));
    if (!isTenancyError(error)) logger.error({ err: error, slug: input.slug }, 'tenant provisioning failed');
    return;
  } finally {
    stop();
  }

  send({ type: 'step', step: 'admin.user', index: steps.length - 1, total: steps.length });
  let admin: { email: string; existing: boolean; password?: string };
  try {
    await recordPlan(operatorDb(), tenant.id, input.plan);
    admin = await createFirstAdmin(tenant, input);
  } catch (error) {
    // A tenant nobody can sign in to is not what was asked for: remove it again (its plan row goes with it), so the
    // form can be resent.
    logger.error({ err: error, slug: tenant.slug }, 'plan or first admin could not be recorded; removing the new tenant');
    await tenancy()
      .deleteTenant(tenant.slug, { archive: false })
      .catch((cleanup: unknown) => logger.error({ err: cleanup, slug: tenant.slug }, 'could not remove the tenant again'));
    send({
      type: 'error',
      message: `The tenant was created, but its plan or first admin could not be recorded (${(error as Error).message}); the tenant was removed again.`,
    });
    return;
  }

  logger.info(
    { operator: operator.email, slug: tenant.slug, plan: input.plan, strategy: tenant.strategy, admin: admin.email, ms: Date.now() - started },
    'tenant created',
  );
  send({
    type: 'done',
    ms: Date.now() - started,
    tenant: { slug: tenant.slug, name: tenant.name, plan: input.plan, strategy: tenant.strategy, schemaVersion: tenant.schemaVersion },
    // The generated password leaves the server once, in this event; it is stored only as an argon2id hash.
    admin,
  });
}

function failure(error: unknown): Record<string, unknown> {
  if (isTenancyError(error, 'InvalidTenantSlugError') || isTenancyError(error, 'TenantExistsError')) {
    return { type: 'invalid', fieldErrors: { slug: error.message } };
  }
  return { type: 'error', message: error instanceof Error ? error.message : String(error) };
}

async function findUser(email: string): Promise<{ id: string } | null> {
  const rows = await operatorQuery<{ id: string }>('SELECT id FROM public.users WHERE lower(email) = lower($1)', [email]);
  return rows[0] ?? null;
}

/** A new user with the given or a generated password, or an existing account; either way the tenant's owner. */
async function createFirstAdmin(tenant: Tenant, input: CreateTenantInput): Promise<{ email: string; existing: boolean; password?: string }> {
  const existing = await findUser(input.adminEmail);
  if (existing) {
    await operatorQuery(
      `INSERT INTO public.memberships (user_id, tenant_id, role) VALUES ($1, $2, 'owner') ON CONFLICT (user_id, tenant_id) DO UPDATE SET role = 'owner'`,
      [existing.id, tenant.id],
    );
    return { email: input.adminEmail, existing: true };
  }
  const generated = input.passwordMode === 'generate' ? generatePassword() : undefined;
  const passwordHash = await hashPassword(generated ?? input.password!);
  await operatorTransaction(async (client) => {
    const { rows } = await client.query<{ id: string }>('INSERT INTO public.users (email, name, password_hash) VALUES ($1, $2, $3) RETURNING id', [
      input.adminEmail,
      input.adminName,
      passwordHash,
    ]);
    await client.query(`INSERT INTO public.memberships (user_id, tenant_id, role) VALUES ($1, $2, 'owner')`, [rows[0]!.id, tenant.id]);
  });
  return generated ? { email: input.adminEmail, existing: false, password: generated } : { email: input.adminEmail, existing: false };
}

/** 20 characters from a 57-character alphabet without look-alikes (0/O, 1/l/I): about 116 bits. */
function generatePassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(40);
  let out = '';
  for (const byte of bytes) {
    // Rejection sampling keeps every character equally likely.
    if (byte < Math.floor(256 / alphabet.length) * alphabet.length) out += alphabet[byte % alphabet.length];
    if (out.length === 20) return out;
  }
  return out.length === 20 ? out : generatePassword();
}
