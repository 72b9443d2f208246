import { createHash } from 'node:crypto';

/** What the database keeps of an emailed token, and what a link's token is looked up by. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
