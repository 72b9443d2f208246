import 'server-only';

import { revalidatePath } from 'next/cache';
import { redirect, unstable_rethrow } from 'next/navigation';
import type { z } from 'zod';

import { invalidFields, textFields, type ActionState } from '@repo/ui';
import { logger } from '@/lib/logger';
import { orgPath } from '@/lib/org-path';

import { describeError, ORGANISATION_NOT_FOUND } from './errors';
import { getOrgSession, requireSession, type TenantSession } from './session';
import { withTenantControlPlane, withTenantSession, type TenantTx } from './tenant-data';

/** What an action's body reports back; the wrapper revalidates and redirects after the transaction committed. */
export interface ActionOutcome<R = undefined> {
  message?: string;
  /** What the form shows besides the message (a new API key, once). */
  result?: R;
  /** Paths inside the organisation ('/projects/1') whose server-rendered data changed; the wrapper puts /o/<slug> in front. */
  revalidate?: string[];
  /** Where to go next, inside the organisation (e.g. '/projects' after a delete). */
  redirectTo?: string;
  /** Where to go next outside any organisation (e.g. sign-in after leaving it): an absolute path, taken as it is. */
  exitTo?: string;
  /** Work that must see the change committed, e.g. queueing a job that reads it: runs after the transaction. */
  afterCommit?: () => Promise<void>;
}

type Body<T, R> = (data: T, tx: TenantTx, session: TenantSession) => Promise<ActionOutcome<R> | void>;

interface Options<T> {
  /** `tenant` (default): the tenant's tables. `control`: tenant-scoped control-plane functions (members, roles). */
  scope?: 'tenant' | 'control';
  /** Runs before the transaction opens, e.g. a check in the other plane; throw a UserFacingError to refuse. */
  precheck?: (data: T, slug: string) => Promise<void>;
}

/**
 * A server action of an organisation: its first argument is the organisation's slug, bound by the form of the tab it
 * was rendered in (`useOrgAction(action)`, src/components/use-org-action.ts), so a user with two organisations open in
 * two tabs acts in each tab's own. The slug is only a claim: it counts if the session's memberships name it.
 */
export type OrgAction<R = undefined> = (slug: string, previous: ActionState<R>, formData: FormData) => Promise<ActionState<R>>;

/**
 * The one way to write a server action: validate the form with zod, check the slug against the session's memberships,
 * then run the body inside that organisation (withTenantSession(slug, ...)), then map any refusal to a message for the
 * form. Another organisation's slug and one that does not exist get the same not-found message and change nothing.
 * Role rules are NOT checked here: the database policies enforce them, so a forged post by a viewer is refused by
 * PostgreSQL (SQLSTATE 42501).
 */
export function validatedAction<S extends z.ZodType, R = undefined>(
  name: string,
  schema: S,
  body: Body<z.output<S>, R>,
  options: Options<z.output<S>> = {},
): OrgAction<R> {
  return async (slug: string, _previous: ActionState<R>, formData: FormData): Promise<ActionState<R>> => {
    const values = textFields(formData);
    const session = await getOrgSession(slug);
    if (!session) {
      await requireSession(); // signed out: to sign-in
      logger.warn({ event: 'action.refused', action: name, kind: 'not-found', code: 'organisation' }, `action ${name} refused: not a member`);
      return { status: 'error', kind: 'not-found', message: ORGANISATION_NOT_FOUND, values, at: Date.now() };
    }
    const parsed = schema.safeParse(values);
    if (!parsed.success) return invalidFields(parsed.error, values);
    let outcome: ActionOutcome<R> | void;
    try {
      await options.precheck?.(parsed.data, session.slug);
      const run = options.scope === 'control' ? withTenantControlPlane : withTenantSession;
      outcome = await run(session.slug, (tx, inOrg) => body(parsed.data, tx, inOrg));
      await outcome?.afterCommit?.();
    } catch (error) {
      // redirect() and notFound() (e.g. the session expired) are control flow, not failures.
      unstable_rethrow(error);
      const described = describeError(error);
      const log = { event: 'action.refused', action: name, kind: described.kind, code: described.code, ...described.log };
      if (described.expected) logger.warn(log, `action ${name} refused: ${described.kind}`);
      else logger.error(log, `action ${name} failed`);
      return { status: 'error', kind: described.kind, message: described.message, values, at: Date.now() };
    }
    logger.debug({ event: 'action.ok', action: name }, `action ${name} done`);
    for (const path of outcome?.revalidate ?? []) revalidatePath(orgPath(session.slug, path));
    if (outcome?.exitTo) redirect(outcome.exitTo);
    if (outcome?.redirectTo) redirect(orgPath(session.slug, outcome.redirectTo));
    return { status: 'ok', message: outcome?.message, result: outcome?.result as R, at: Date.now() };
  };
}
