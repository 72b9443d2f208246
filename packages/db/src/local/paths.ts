import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the dev runner keeps things, all relative to the repository root. */
export interface DevPaths {
  root: string;
  /** PostgreSQL data directory; reused by every later `npm run dev`. */
  pgData: string;
  initSql: string;
  /** Written once init.sql has been applied to the cluster in pgData. */
  initializedMarker: string;
}

// This file sits at packages/db/src/local/, four levels below the root.
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export function devPaths(root = ROOT): DevPaths {
  const data = path.join(root, '.data');
  return {
    root,
    pgData: path.join(data, 'pg'),
    initSql: path.join(root, 'init.sql'),
    initializedMarker: path.join(data, 'initialized'),
  };
}
