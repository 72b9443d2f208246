export type ServerKind = 'env' | 'testcontainers' | 'embedded';

/** What the global setup hands to every test worker. */
export interface ProvidedServer {
  kind: ServerKind;
  /** Superuser (or TEST_DATABASE_URL's role) connection to the maintenance database. */
  serverUrl: string;
  /** Database every suite's database is cloned from. */
  template: string;
}

export const PROVIDED_KEY = 'localdb';

declare module 'vitest' {
  export interface ProvidedContext {
    localdb: ProvidedServer;
  }
}
