import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { adminQuery, tenantId } from './support';

// What the API specs share: keys arranged in the database (the UI's own creation has its spec, api-key-page.spec.ts), and
// the /api/v1 routes of the BUILT app, read from Next's route manifest, so a route added later is checked too.

export interface TestKey {
  id: string;
  key: string;
  prefix: string;
}

/** A key of `tenant` made by `email` (who must be a member), stored as the app stores one: prefix and sha256 only. */
export async function arrangeKey(tenant: string, email: string, scope: 'read' | 'write', name = `e2e ${scope} key`): Promise<TestKey> {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const prefix = `tk_${Array.from(randomBytes(8), (byte) => letters[byte % letters.length]).join('')}`;
  const key = `${prefix}_${randomBytes(32).toString('base64url')}`;
  const [row] = await adminQuery<{ id: string }>(
    `INSERT INTO public.api_keys (tenant_id, prefix, secret_hash, scope, name, created_by)
     SELECT $1, $2, $3, $4, $5, u.id FROM public.users u WHERE lower(u.email) = lower($6) RETURNING id`,
    [await tenantId(tenant), prefix, createHash('sha256').update(key).digest('hex'), scope, name, email],
  );
  if (!row) throw new Error(`no user ${email}`);
  return { id: row.id, key, prefix };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** The manifest the standalone server serves from (as cross-organisation.spec.ts reads it). */
const MANIFEST = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '.next', 'standalone', 'apps', 'web', '.next', 'app-path-routes-manifest.json');

/** Every /api/v1 route of the build, as Next names it (/api/v1/projects/[projectId]). */
export function builtApiRoutes(): string[] {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
  return [...new Set(Object.values(manifest).filter((route) => route === '/api/v1' || route.startsWith('/api/v1/')))].sort();
}

/** /api/v1/projects/[projectId] -> /api/v1/projects/{projectId}, the OpenAPI form. */
export const openApiPath = (route: string) => route.replace(/\[([^\]]+)\]/g, '{$1}');

/** An OpenAPI path with its parameters filled in. */
export const fill = (template: string, values: Record<string, string>) =>
  template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return value;
  });
