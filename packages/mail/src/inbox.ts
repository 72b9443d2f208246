import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StoredMail } from './message';

// The development inbox: every mail the app sends while MAIL_INBOX_DIR is set is a JSON file in that folder, newest
// last by name. A folder rather than a table: it needs no migration, no role may read it from SQL, and deleting it
// (or `.data/`) empties it.

const FILE = /^\d{13}-[0-9a-f]{12}\.json$/;

export async function saveToInbox(dir: string, mail: Omit<StoredMail, 'id'>): Promise<StoredMail> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const id = `${Date.now()}-${randomBytes(6).toString('hex')}`;
  const stored = { id, ...mail };
  // 0600: the links in these mails sign a user in or reset a password.
  await writeFile(path.join(dir, `${id}.json`), JSON.stringify(stored, null, 2), { mode: 0o600 });
  return stored;
}

/** The newest `limit` mails, newest first; an inbox that does not exist yet is empty. */
export async function readInbox(dir: string, limit = 50): Promise<StoredMail[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => FILE.test(name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  names.sort().reverse();
  const mails = await Promise.all(names.slice(0, limit).map(async (name) => JSON.parse(await readFile(path.join(dir, name), 'utf8')) as StoredMail));
  return mails;
}
