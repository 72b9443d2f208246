import 'server-only';

import { z } from 'zod';

// Keyset cursors: where a page starts, as the sort key and id of the row next to it, not as an offset. A page
// after a cursor is read from the index at that key, however deep in the list it is, and rows added or deleted
// meanwhile do not shift it. The cursor is opaque to clients (base64url of a small JSON array) and carries nothing
// they could not read already: a name or a creation time of their own tenant's row and its id. A forged cursor only
// moves the start of the list; the tenant still comes from the session, and the values are bind parameters.

export interface Cursor {
  /** The list order the key belongs to. */
  sort: string;
  /** `after`: the page that follows the row; `before`: the page that precedes it. */
  dir: 'after' | 'before';
  /** The row's sort key as text: a timestamp to the microsecond (see project-page.ts), or a name. */
  key: string;
  id: string;
}

const shape = z.tuple([z.string().min(1).max(20), z.enum(['after', 'before']), z.string().max(1000), z.uuid()]);

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.dir, cursor.key, cursor.id]), 'utf8').toString('base64url');
}

/** The cursor in `text`, or null when it is not one. */
export function decodeCursor(text: string): Cursor | null {
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    if (!parsed.success) return null;
    const [sort, dir, key, id] = parsed.data;
    return { sort, dir, key, id };
  } catch {
    return null;
  }
}
