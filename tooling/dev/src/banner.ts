import path from 'node:path';
import type { EmbeddedCluster } from '@repo/localdb/cluster';
import type { DevPaths, DevUrls } from '@repo/db/local';
import { SEED_LOGINS } from '@repo/db/seed';

const APPS = [
  { app: 'web', url: 'http://localhost:3000' },
  { app: 'admin', url: 'http://localhost:3001' },
] as const;

/** Everything a developer needs to start clicking: where things run and how to log in. */
export function printBanner(cluster: EmbeddedCluster, urls: DevUrls, paths: DevPaths, dbOnly: boolean): void {
  const lines = [
    '',
    `PostgreSQL ${cluster.version} on ${cluster.host}:${cluster.port} (data in ${path.relative(paths.root, cluster.dataDir)}/)`,
    `  DATABASE_URL           ${urls.databaseUrl}`,
    `  ADMIN_DATABASE_URL     ${urls.adminDatabaseUrl}`,
    `  OPERATOR_DATABASE_URL  ${urls.operatorDatabaseUrl}`,
    `  AUTH_DATABASE_URL      ${urls.authDatabaseUrl}`,
    '',
    ...(dbOnly
      ? ['Apps not started (--db-only). Ctrl-C stops PostgreSQL.']
      : [...APPS.map(({ app, url }) => `${app.padEnd(6)} ${url}`), `mail   http://localhost:3000/dev/inbox (sign-up and reset links; nothing is sent)`]),
    ...loginLines(),
    '',
  ];
  console.log(lines.join('\n'));
}

function loginLines(): string[] {
  if (SEED_LOGINS.length === 0) return [];
  const email = Math.max(...SEED_LOGINS.map((login) => login.email.length));
  const password = Math.max(...SEED_LOGINS.map((login) => login.password.length));
  return [
    '',
    'Seeded logins:',
    ...SEED_LOGINS.map((login) => `  ${login.app.padEnd(6)} ${login.email.padEnd(email)}  ${login.password.padEnd(password)}  ${login.note}`),
  ];
}
