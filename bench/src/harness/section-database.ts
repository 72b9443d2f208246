import { prepareDatabase } from '@repo/db/prepare';
import pg from 'pg';
import { productUrls, withClient } from './database';
import type { BenchEnv } from './env';

export type SectionUrls = ReturnType<typeof productUrls>;

/** The product's URLs (same roles and dev passwords) pointed at another database of the bench server. */
export function urlsFor(env: BenchEnv, db: string): SectionUrls {
  const retarget = (url: string) => {
    const parsed = new URL(url);
    parsed.pathname = `/${db}`;
    return parsed.toString();
  };
  const urls = productUrls(env.server);
  return {
    ...urls,
    adminUrl: retarget(urls.adminUrl),
    appUrl: retarget(urls.appUrl),
    operatorUrl: retarget(urls.operatorUrl),
    authUrl: retarget(urls.authUrl),
  };
}

/** A database of its own, prepared as `npm run dev` prepares one: the dataset's tenants stay out of sight. */
export async function freshDatabase(env: BenchEnv, db: string): Promise<SectionUrls> {
  await withClient(env.server.adminUrl, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(db)}`));
  const urls = urlsFor(env, db);
  const prepared = await prepareDatabase(urls);
  await prepared.close();
  return urls;
}

/** Drops every database, then every role, whose name starts with `prefix`, an interrupted earlier run's included. */
export async function dropByPrefix(env: BenchEnv, prefix: string): Promise<void> {
  await withClient(env.server.adminUrl, async (c) => {
    const pattern = `${prefix.replaceAll('_', '\\_')}%`;
    const drops = async (sql: string) => {
      for (const { ddl } of (await c.query<{ ddl: string }>(sql, [pattern])).rows) await c.query(ddl);
    };
    await drops(`SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname) AS ddl FROM pg_database WHERE datname LIKE $1`);
    // Their privileges lived in the databases just dropped, so nothing else holds them.
    await drops(`SELECT format('DROP ROLE IF EXISTS %I', rolname) AS ddl FROM pg_roles WHERE rolname LIKE $1`);
  });
}
