import { existsSync } from 'node:fs';
import type { DevConfig, DevUrls } from './config';

type AfterDatabaseReady = (urls: DevUrls, config: DevConfig) => Promise<void>;

// hooks.ts is optional: a project that needs nothing after init.sql may delete it, so it is
// imported by URL (tsc does not insist the file exists) and only when present.
const HOOKS = new URL('./hooks.ts', import.meta.url);

export async function runAfterDatabaseReady(urls: DevUrls, config: DevConfig): Promise<void> {
  if (!existsSync(HOOKS)) return;
  const hooks = (await import(HOOKS.href)) as { afterDatabaseReady?: unknown };
  if (typeof hooks.afterDatabaseReady !== 'function') return;
  await (hooks.afterDatabaseReady as AfterDatabaseReady)(urls, config);
}
