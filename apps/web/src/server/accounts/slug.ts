import { SLUG_PATTERN } from '@repo/tenancy/slug';

/**
 * An organisation's slug from its name, by the tenancy library's rule (a lowercase letter first, then lowercase
 * letters, digits or "_", 2-48 characters): accents dropped, anything else a "_". The database takes the next free
 * `<slug>_<n>` when it is taken (public.sign_up).
 */
export function organisationSlug(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40)
    .replace(/_+$/, '');
  const slug = /^[a-z]/.test(base) ? base : `org_${base}`.replace(/_+$/, '');
  const candidate = slug.length >= 2 ? slug : 'org';
  if (!SLUG_PATTERN.test(candidate)) throw new Error(`organisationSlug produced an invalid slug ${JSON.stringify(candidate)}`);
  return candidate;
}
