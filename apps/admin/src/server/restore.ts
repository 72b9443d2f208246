import 'server-only';

import { SLUG_PATTERN, SLUG_RULE_TEXT, STRATEGIES, type ArchiveError, type ArchiveManifest, type StrategyName } from '@repo/tenancy';
import { UserFacingError } from '@repo/ui';
import { z } from 'zod';

import { ARCHIVE_UPLOAD_MAX_BYTES } from '@/lib/archive-limits';
import { formatBytes } from '@/lib/format';
import { logger } from '@/lib/logger';
import {
  ARCHIVE_NAME,
  ARCHIVE_SOURCES,
  archivePath,
  findArchive,
  newUpload,
  removeUpload,
  saveStream,
  UploadIncompleteError,
  UploadTooLargeError,
  type ArchiveFile,
  type ArchiveSource,
} from './archive-files';
import { tenantRows } from './queries/tenant-rows';
import type { Operator } from './session';
import { tenancy } from './tenancy';
import { storedText } from './text';
import { isTenancyError } from './tenancy-errors';

// Restore a tenant from an archive (tenancy.importTenant): one uploaded through the browser (streamed to ARCHIVE_DIR/
// uploads, checked whole before the operator sees it), or one already in ARCHIVE_DIR. The library checks the archive
// again before it creates anything, and creates nothing when it fails: a damaged archive, one of a newer schema
// version, or a slug or id in use leave no tenant behind.

/** The content types the upload takes: what a browser sends for a .tar.gz, or says when it does not know. */
export const UPLOAD_CONTENT_TYPES = ['application/gzip', 'application/x-gzip', 'application/octet-stream'] as const;

/** An archive that cannot be restored, in words for the operator (the library's reason, without the server's path). */
function archiveProblem(error: ArchiveError): string {
  return `This archive cannot be restored: ${error.reason}. Nothing was created.`;
}

/** POST /api/archives: the request body is the archive. Answers { upload, manifest } or { error }. */
export async function receiveUpload(request: Request, operator: Operator): Promise<Response> {
  const max = ARCHIVE_UPLOAD_MAX_BYTES;
  const tooLarge = `The archive is larger than ${formatBytes(max)}, the most the console accepts as an upload: put it in ARCHIVE_DIR on the server and restore it from the list instead.`;
  const announced = Number(request.headers.get('content-length') ?? Number.NaN);
  if (!Number.isInteger(announced) || announced < 0) return Response.json({ error: 'Send the archive with a Content-Length.' }, { status: 411 });
  if (announced > max) return Response.json({ error: tooLarge }, { status: 413 });
  if (announced === 0 || !request.body) return Response.json({ error: 'The file is empty: choose a tenant archive (.tar.gz).' }, { status: 422 });

  const { name, file } = await newUpload();
  try {
    await saveStream(request.body, file, max, announced);
  } catch (error) {
    if (error instanceof UploadTooLargeError) return Response.json({ error: tooLarge }, { status: 413 });
    if (error instanceof UploadIncompleteError) return Response.json({ error: `The upload was cut off (${error.message}): send it again.` }, { status: 400 });
    throw error;
  }
  try {
    const manifest = await tenancy().inspectArchive(file);
    logger.info({ operator: operator.email, upload: name, tenant: manifest.tenant.slug, bytes: announced }, 'archive uploaded');
    return Response.json({ upload: name, manifest });
  } catch (error) {
    await removeUpload(name);
    if (isTenancyError(error, 'ArchiveError')) {
      logger.warn({ operator: operator.email, reason: error.reason }, 'uploaded archive refused');
      return Response.json({ error: archiveProblem(error) }, { status: 422 });
    }
    throw error;
  }
}

export type Inspected = { archive: ArchiveFile; manifest: ArchiveManifest } | { archive: ArchiveFile | null; error: string };

/** The archive and its manifest, verified whole (every table's rows and checksum), or why it cannot be restored. */
export async function inspectArchive(source: ArchiveSource, name: string): Promise<Inspected> {
  const archive = await findArchive(source, name);
  if (!archive) {
    return {
      archive: null,
      error:
        source === 'upload'
          ? 'This upload is gone (restored already, or older than a day): upload the archive again.'
          : `There is no archive "${name}" in ARCHIVE_DIR.`,
    };
  }
  try {
    return { archive, manifest: await tenancy().inspectArchive(archivePath(source, name)!) };
  } catch (error) {
    if (isTenancyError(error, 'ArchiveError')) return { archive, error: archiveProblem(error) };
    throw error;
  }
}

export const restoreTenantInput = z.object({
  source: z.enum(ARCHIVE_SOURCES),
  file: z.string().regex(ARCHIVE_NAME, 'Not an archive name.'),
  slug: z.string().trim().regex(SLUG_PATTERN, SLUG_RULE_TEXT),
  name: storedText(200, 'Enter a name.'),
  strategy: z.enum(STRATEGIES, { error: 'Choose a strategy.' }),
  /** 'archive': the tenant comes back under the id it had (its members find it again); 'new': a copy beside it. */
  id: z.enum(['archive', 'new'], { error: 'Choose which id the tenant gets.' }),
});

export type RestoreTenantInput = z.infer<typeof restoreTenantInput>;

export interface RestoreResult {
  slug: string;
  name: string;
  strategy: StrategyName;
  id: string;
  idFrom: 'archive' | 'new';
  schemaVersion: string | null;
  /** Rows per table, counted in the restored tenant (parents first). */
  tables: [string, number][];
  ms: number;
}

export async function restoreTenant(input: RestoreTenantInput, operator: Operator): Promise<RestoreResult> {
  const file = archivePath(input.source, input.file);
  if (!file || !(await findArchive(input.source, input.file))) {
    throw new UserFacingError(
      'not-found',
      input.source === 'upload' ? 'This upload is gone: upload the archive again.' : `There is no archive "${input.file}" in ARCHIVE_DIR.`,
    );
  }
  const started = Date.now();
  let tenant;
  try {
    tenant = await tenancy().importTenant(file, { slug: input.slug, name: input.name, strategy: input.strategy, id: input.id });
  } catch (error) {
    throw refusal(error, input);
  }
  const ms = Date.now() - started;
  if (input.source === 'upload') await removeUpload(input.file);
  logger.info({ operator: operator.email, slug: tenant.slug, strategy: tenant.strategy, id: input.id, archive: input.file, ms }, 'tenant restored');
  const rows = await tenantRows(tenant);
  return {
    slug: tenant.slug,
    name: tenant.name,
    strategy: tenant.strategy,
    id: tenant.id,
    idFrom: input.id,
    schemaVersion: tenant.schemaVersion,
    tables: Object.entries(rows.tables).reverse(),
    ms,
  };
}

/** The library's refusals, each beside the field it is about; anything else goes to validatedAction's log. */
function refusal(error: unknown, input: RestoreTenantInput): unknown {
  if (isTenancyError(error, 'ArchiveError')) return new UserFacingError('invalid', archiveProblem(error));
  if (isTenancyError(error, 'InvalidTenantSlugError')) return new UserFacingError('invalid', error.message, { slug: [error.message] });
  if (isTenancyError(error, 'TenantExistsError')) {
    if (error.slug === input.slug) {
      const message = `A tenant "${input.slug}" already exists: pick another slug. Nothing was created.`;
      return new UserFacingError('conflict', message, { slug: [message] });
    }
    // The slug is free, so the clash is the archive's id.
    const message = `Tenant "${error.slug}" has the archive's id: restore as a copy with a new id, or delete "${error.slug}" first. Nothing was created.`;
    return new UserFacingError('conflict', message, { id: [message] });
  }
  if (isTenancyError(error)) return new UserFacingError('unavailable', error.message);
  return error;
}
