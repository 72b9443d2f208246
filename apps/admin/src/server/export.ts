import 'server-only';

import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { SLUG_PATTERN } from '@repo/tenancy';
import { z } from 'zod';

import { logger } from '@/lib/logger';
import { findTenant } from './queries/catalog';
import type { Operator } from './session';
import { tenancy } from './tenancy';
import { isTenancyError } from './tenancy-errors';

// Download an export: tenancy.exportTenant writes the tenant's rows (one snapshot) to a temporary file, which is sent
// to the browser as <slug>-<timestamp>.tar.gz and is gone from the disk before the first byte leaves: the open file
// handle keeps its bytes readable until the download ends, however it ends.

export const exportTenantInput = z.object({
  slug: z.string().trim().regex(SLUG_PATTERN, 'Not a tenant slug.'),
});

/** Why an export was not made, as the tenant page shows it (?export=<reason>). */
export const EXPORT_REFUSALS = {
  'not-active': 'Only an active tenant can be exported: wait for its lifecycle step to finish, then try again.',
  failed: 'The export failed on the server (logged); nothing was downloaded.',
} as const;

export type ExportRefusal = keyof typeof EXPORT_REFUSALS;

/** A plain form posted this: a refusal goes back to the tenant page, which says why. */
function back(slug: string, reason?: ExportRefusal): Response {
  const location = `/tenants/${slug}${reason ? `?export=${reason}` : ''}`;
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
}

export function exportFileName(slug: string, at = new Date()): string {
  return `${slug}-${at.toISOString().replace(/[:.]/g, '-')}.tar.gz`;
}

export async function exportDownload(input: z.infer<typeof exportTenantInput>, operator: Operator): Promise<Response> {
  const tenant = await findTenant(input.slug);
  // The tenant page answers 404 for a tenant that is gone.
  if (!tenant) return back(input.slug);
  if (tenant.status !== 'active') return back(tenant.slug, 'not-active');
  const name = exportFileName(tenant.slug);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'admin-export-'));
  try {
    const summary = await tenancy().exportTenant(tenant.slug, path.join(dir, name));
    const handle = await open(summary.file);
    logger.info({ operator: operator.email, slug: tenant.slug, bytes: summary.bytes, ms: summary.ms }, 'tenant exported');
    return new Response(Readable.toWeb(handle.createReadStream()) as ReadableStream<Uint8Array>, {
      headers: {
        'content-type': 'application/gzip',
        'content-length': String(summary.bytes),
        'content-disposition': `attachment; filename="${name}"`,
        'cache-control': 'no-store',
      },
    });
  } catch (error) {
    // A delete or a move that began since the lookup above.
    if (isTenancyError(error, 'TenantNotFoundError')) return back(tenant.slug);
    if (isTenancyError(error, 'TenantNotActiveError')) return back(tenant.slug, 'not-active');
    logger.error({ operator: operator.email, slug: tenant.slug, err: error }, 'tenant export failed');
    return back(tenant.slug, 'failed');
  } finally {
    // Removed while the handle is open (POSIX): the bytes stay readable until the stream closes it.
    await rm(dir, { recursive: true, force: true });
  }
}
