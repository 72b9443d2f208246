import { createHash, randomBytes } from 'node:crypto';
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

export { builtApiRoutes } from './built-app';

/** /api/v1/projects/[projectId] -> /api/v1/projects/{projectId}, the OpenAPI form. */
export const openApiPath = (route: string) => route.replace(/\[([^\]]+)\]/g, '{$1}');

/** An OpenAPI path with its parameters filled in. */
export const fill = (template: string, values: Record<string, string>) =>
  template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return value;
  });
