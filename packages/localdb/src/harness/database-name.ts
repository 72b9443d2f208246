import { randomBytes } from 'node:crypto';

const MAX_IDENTIFIER = 63;

/**
 * A name no other suite, worker or concurrent run picks: a readable label for whoever lists
 * databases on a shared server, and random bytes for uniqueness. Lower-case letters, digits and
 * underscores only, so it never needs quoting and never exceeds PostgreSQL's 63-byte limit.
 */
export function uniqueDatabaseName(prefix: string, label: string): string {
  const suffix = randomBytes(5).toString('hex');
  const room = MAX_IDENTIFIER - prefix.length - suffix.length - 2;
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, Math.max(room, 0));
  return [prefix, slug, suffix].filter(Boolean).join('_');
}
