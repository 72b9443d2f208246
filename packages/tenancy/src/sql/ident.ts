import { InvalidTenantSlugError } from '../errors';
import { SLUG_PATTERN } from '../slug';

export { SLUG_PATTERN };
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertSlug(slug: unknown): asserts slug is string {
  if (typeof slug !== 'string' || !SLUG_PATTERN.test(slug)) throw new InvalidTenantSlugError(slug);
}

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

const IDENT_PATTERN = /^[a-z_][a-z0-9_$]{0,62}$/;

/**
 * Quotes an identifier the way PostgreSQL's quote_ident does, after checking it against a
 * conservative pattern: identifiers here come from validated slugs and config, never from requests,
 * and refusing anything unusual keeps a bug from turning into SQL.
 */
export function quoteIdent(name: string): string {
  if (!IDENT_PATTERN.test(name)) throw new TypeError(`Refusing unusual SQL identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/**
 * A search_path naming `schemas` in order and pg_temp last. Unnamed, pg_temp is searched first for
 * tables and views, so a temporary object would shadow a tenant table; named last, it cannot.
 */
export function searchPath(...schemas: string[]): string {
  return [...schemas.map(quoteIdent), 'pg_temp'].join(', ');
}
