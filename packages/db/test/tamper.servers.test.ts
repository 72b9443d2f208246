import { describe } from 'vitest';
import { useSecondCluster } from './isolation/second-server';
import { describeTamper } from './isolation/tamper-suite';

// The tamper suite again, with A and B on a second PostgreSQL server (for rls: its shard of the shared tables) and the
// canary on the primary.
const second = useSecondCluster();

describe('rls tenants on a shard of the shared tables', () => describeTamper('rls', second));
describe('schema tenants on two servers', () => describeTamper('schema', second));
describe('database tenants on two servers', () => describeTamper('database', second));
