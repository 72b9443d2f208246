import type { DevUrls } from './config.js';

/**
 * Runs on every `npm run dev`, after the database is up and init.sql has been applied (on the
 * first start), before the apps start: keep it idempotent. A second parameter, the validated
 * `DevConfig` (secrets included), is passed too; declare it when the hook needs it.
 */
export async function afterDatabaseReady(urls: DevUrls): Promise<void> {}
