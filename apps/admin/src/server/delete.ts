import 'server-only';

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { SLUG_PATTERN } from '@repo/tenancy';
import { UserFacingError } from '@repo/ui';
import { z } from 'zod';

import { serverEnv } from '@/env';
import { logger } from '@/lib/logger';
import { findTenant } from './queries/catalog';
import type { Operator } from './session';
import { tenancy } from './tenancy';
import { isTenancyError } from './tenancy-errors';

// Delete tenant: the operator types the slug to confirm, and the server compares it again (the form's
// check is only a convenience). By default the tenant's rows are archived to ARCHIVE_DIR first.

export const deleteTenantInput = z.object({
  slug: z.string().regex(SLUG_PATTERN, 'Not a tenant slug.'),
  confirm: z.string().trim(),
  // A checkbox: present ("on") when ticked, absent otherwise.
  archive: z.literal('on').optional(),
});

export interface DeleteResult {
  slug: string;
  name: string;
  strategy: string;
  archive: string | null;
  ms: number;
}

/**
 * ARCHIVE_DIR/<slug>-<timestamp>.tar.gz (the library's archive format). A deletion that stopped half-way (status "deleting") is finished with
 * the archive its first attempt wrote: the library keeps an existing archive then, instead of archiving the
 * half-deleted rows again.
 */
async function archivePath(slug: string, resumed: boolean): Promise<string> {
  const dir = serverEnv().ARCHIVE_DIR;
  if (resumed) {
    const earlier = (await readdir(dir).catch(() => [] as string[]))
      .filter((name) => name.startsWith(`${slug}-`) && name.endsWith('.tar.gz') && /^\d{4}-/.test(name.slice(slug.length + 1)))
      .sort();
    if (earlier.length) return path.join(dir, earlier.at(-1)!);
  }
  return path.join(dir, `${slug}-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`);
}

export async function deleteTenant(input: z.infer<typeof deleteTenantInput>, operator: Operator): Promise<DeleteResult> {
  if (input.confirm !== input.slug) {
    const message = `That does not match. Type the slug "${input.slug}" exactly to delete this tenant; nothing was deleted.`;
    throw new UserFacingError('invalid', message, { confirm: [message] });
  }
  const tenant = await findTenant(input.slug);
  if (!tenant) throw new UserFacingError('not-found', `Tenant "${input.slug}" does not exist (already deleted?).`);
  const archive = input.archive ? await archivePath(tenant.slug, tenant.status === 'deleting') : false;
  const started = Date.now();
  try {
    await tenancy().deleteTenant(tenant.slug, { archive });
  } catch (error) {
    if (!isTenancyError(error)) logger.error({ err: error, slug: tenant.slug }, 'tenant deletion failed');
    throw new UserFacingError('unavailable', `Deleting "${tenant.slug}" failed: ${(error as Error).message} Running the delete again finishes it.`);
  }
  const ms = Date.now() - started;
  logger.info({ operator: operator.email, slug: tenant.slug, strategy: tenant.strategy, archive, ms }, 'tenant deleted');
  return { slug: tenant.slug, name: tenant.name, strategy: tenant.strategy, archive: archive || null, ms };
}
