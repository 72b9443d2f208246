import 'server-only';

import type { ActivityActorKind } from '@repo/db/schema';

import type { TenantQuery } from '../tenant-data';
import { decodeCursor, encodeCursor } from './cursor';

// The activity log (packages/db: activity_log, written by the row triggers and log_activity() in the transaction of
// each change). Only owners and admins read it: for anyone else the read policy returns no row, whatever this code
// asks. Newest first, by keyset on (created_at, id), the order of its index.

export interface ActivityEntry {
  id: string;
  actorId: string | null;
  actorKind: ActivityActorKind;
  action: string;
  subjectType: string;
  subjectId: string | null;
  detail: Record<string, unknown>;
  createdAt: Date;
}

export interface ActivityPage {
  items: ActivityEntry[];
  /** The cursor of the next (older) page, or null at the end. */
  older: string | null;
}

export class InvalidActivityCursorError extends Error {
  override readonly name = 'InvalidActivityCursorError';
  constructor() {
    super('The cursor is not one of the activity list: start again from the newest entries.');
  }
}

const CURSOR_SORT = 'activity';
const KEY_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
/** created_at to the microsecond: entries of one transaction share it, and a Date keeps milliseconds only. */
const CREATED_KEY = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const COLUMNS = `id, actor_id AS "actorId", actor_kind AS "actorKind", action, subject_type AS "subjectType", subject_id AS "subjectId",
  detail, created_at AS "createdAt", ${CREATED_KEY} AS "createdKey"`;

/** One page of the log, newest first, after `cursor` (an `older` of a previous page) when given. */
export async function listActivity(db: TenantQuery, options: { cursor?: string | undefined; limit: number }): Promise<ActivityPage> {
  const values: unknown[] = [options.limit + 1];
  let after = '';
  if (options.cursor) {
    const cursor = decodeCursor(options.cursor);
    if (!cursor || cursor.sort !== CURSOR_SORT || cursor.dir !== 'after' || !KEY_FORMAT.test(cursor.key)) throw new InvalidActivityCursorError();
    values.push(cursor.key, cursor.id);
    after = 'WHERE (created_at, id) < ($2::timestamptz, $3::uuid)';
  }
  const { rows } = await db.query<ActivityEntry & { createdKey: string }>(
    `SELECT ${COLUMNS} FROM activity_log ${after} ORDER BY created_at DESC, id DESC LIMIT $1::int`,
    values,
  );
  const more = rows.length > options.limit;
  const page = more ? rows.slice(0, options.limit) : rows;
  const last = page.at(-1);
  return {
    items: page.map(({ createdKey: _key, ...entry }) => entry),
    older: more && last ? encodeCursor({ sort: CURSOR_SORT, dir: 'after', key: last.createdKey, id: last.id }) : null,
  };
}

/** Records that the log was exported, in the export's own transaction: the actor is the signed context's. */
export async function recordActivityExport(db: TenantQuery, format: string): Promise<void> {
  await db.query(`SELECT log_activity('activity.exported', 'activity_log', NULL, jsonb_build_object('format', $1::text))`, [format]);
}
