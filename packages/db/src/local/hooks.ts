import pg from 'pg';
import { prepareDatabase } from '../prepare';
import { deploymentSecrets } from '../secrets';
import { seedDatabaseTenants, seedDevOperator } from '../seed/index';
import type { DevConfig, DevUrls } from './config';

/**
 * Runs on every `npm run dev`, after the database is up and init.sql has been applied (on the
 * first start), before the apps start: keep it idempotent. Brings the schema up to date (and
 * re-keys the context if TENANCY_CONTEXT_SECRET changed), then creates the seeded database
 * tenants, which init.sql cannot (they live in databases of their own), and the dev operator
 * when there is no operator (init.sql has none).
 */
export async function afterDatabaseReady(urls: DevUrls, config: DevConfig): Promise<void> {
  const secrets = deploymentSecrets(urls.adminDatabaseUrl, config.TENANCY_SECRETS_KEY, config.TENANCY_CONTEXT_SECRET);
  const tenancy = await prepareDatabase({
    adminUrl: urls.adminDatabaseUrl,
    appUrl: urls.databaseUrl,
    operatorUrl: urls.operatorDatabaseUrl,
    authUrl: urls.authDatabaseUrl,
    contextSecret: config.TENANCY_CONTEXT_SECRET,
    tenancy: { secrets },
  });
  const admin = new pg.Client({ connectionString: urls.adminDatabaseUrl });
  await admin.connect();
  try {
    const created = await seedDatabaseTenants(tenancy, admin);
    if (created.length) console.log(`[dev] created seeded database tenant(s): ${created.join(', ')}`);
    // init.sql carries no operator (the Docker stack starts from it): the dev one is added here, when there is none.
    if (await seedDevOperator(admin)) console.log('[dev] added the dev operator (no operator existed)');
  } finally {
    await admin.end();
    await tenancy.close();
    await secrets.close();
  }
}
