import { z } from 'zod';
import { STRATEGIES } from '../catalog/types';

/** The archive layout this library writes and reads; an archive naming another is refused before anything is created. */
export const ARCHIVE_FORMAT = 'tenancy-archive/2';
export const MANIFEST_ENTRY = 'manifest.json';

const column = z.string().regex(/^[a-z_][a-z0-9_$]{0,62}$/, 'must be a plain lowercase column name');

const tableEntry = z.object({
  name: column,
  /** Entry in the tar holding the rows, in PostgreSQL's COPY text format, without the tenant_id column. */
  file: z.string().regex(/^tables\/[a-z_][a-z0-9_$]{0,62}\.copy$/),
  columns: z.array(column).min(1),
  rows: z.number().int().min(0),
  /** sha256 of the entry's bytes: rows in primary-key order, formatted with the archive's fixed settings. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const manifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  createdAt: z.string(),
  tenant: z.object({ id: z.uuid(), slug: z.string(), name: z.string(), strategy: z.enum(STRATEGIES) }),
  /** Tag of the newest tenant migration the rows were written under. */
  schemaVersion: z.string().nullable(),
  /** Parents before children: the order the rows are loaded in. */
  tables: z.array(tableEntry),
});

export type ArchiveManifest = z.infer<typeof manifestSchema>;
export type ArchiveTable = ArchiveManifest['tables'][number];

/**
 * Settings that decide how COPY writes and reads values. Fixed for every export and load, so the
 * same rows give the same bytes (and checksum) whichever connection, server or time zone wrote them.
 */
export const COPY_SETTINGS: Record<string, string> = {
  TimeZone: 'UTC',
  DateStyle: 'ISO, YMD',
  IntervalStyle: 'postgres',
  extra_float_digits: '3',
  bytea_output: 'hex',
  client_encoding: 'UTF8',
};
