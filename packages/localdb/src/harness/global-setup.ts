import type { TestProject } from 'vitest/node';
import { PROVIDED_KEY, type ProvidedServer } from './provided';
import { acquireTestServer } from './server-source';
import { createTemplate, dropTemplate, type PrepareTemplate } from './template';

export type { PrepareTemplate } from './template';

export interface DatabaseGlobalSetupOptions {
  /** Runs once per test run on the template every suite's database is cloned from. */
  prepareTemplate?: PrepareTemplate;
}

/**
 * A vitest globalSetup that finds or starts one PostgreSQL server for the whole run and
 * builds the template database. A package whose suites need schema in every database writes
 * its own setup file: `export default createDatabaseGlobalSetup({ prepareTemplate })`.
 */
export function createDatabaseGlobalSetup(options: DatabaseGlobalSetupOptions = {}) {
  return async function setup(project: TestProject): Promise<() => Promise<void>> {
    const server = await acquireTestServer();
    let template: string;
    try {
      template = await createTemplate(server.url, options.prepareTemplate);
    } catch (error) {
      await server.release();
      throw error;
    }
    const provided: ProvidedServer = { kind: server.kind, serverUrl: server.url, template };
    project.provide(PROVIDED_KEY, provided);
    console.log(`[localdb] test database: ${server.description}`);
    return async () => {
      await dropTemplate(server.url, template).catch(() => undefined);
      await server.release();
    };
  };
}

export default createDatabaseGlobalSetup();
