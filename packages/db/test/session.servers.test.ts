import { describe } from 'vitest';
import { useSecondCluster } from './isolation/second-server';
import { describePooledSession } from './isolation/session-suite';

// The pooled-session suite again, with A and B (and the server connection they share) on a second PostgreSQL server,
// each server behind its own PgBouncer in the PgBouncer runs; the canary is on the primary.
const second = useSecondCluster();

describe('rls tenants on a shard of the shared tables', () => describePooledSession('rls', second));
describe('schema tenants on two servers', () => describePooledSession('schema', second));
describe('database tenants on two servers', () => describePooledSession('database', second));
