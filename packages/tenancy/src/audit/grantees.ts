/**
 * The roles a privilege check asks about, in SQL: those of `$1` (a text[] of role names) that
 * exist, and 'public', which has_*_privilege() reads as the pseudo-role PUBLIC. Asking by name
 * keeps a role dropped since the catalog was read from failing the whole query.
 */
export const GRANTEES_CTE = `grantee(name) AS (
  SELECT r.rolname::text FROM pg_catalog.pg_roles r WHERE r.rolname = ANY($1::text[])
  UNION ALL SELECT 'public')`;

const SHOWN = 4;

/** Who holds a right, for a message: PUBLIC covers every role, so it is named alone. */
export function holders(grantees: readonly string[]): string {
  if (grantees.includes('public')) return 'every role (PUBLIC)';
  return listed(grantees);
}

/** The grantees a REVOKE must name to take the right away. */
export function revokeFrom(grantees: readonly string[]): string {
  if (grantees.includes('public')) return 'PUBLIC';
  return grantees.map(ident).join(', ');
}

/** A few names and how many more: a deployment may have thousands of tenant roles. */
export function listed(names: readonly string[]): string {
  if (names.length <= SHOWN + 1) return names.join(', ');
  return `${names.slice(0, SHOWN).join(', ')} and ${names.length - SHOWN} more`;
}

/** An identifier quoted for SQL shown in a message (never executed). */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
