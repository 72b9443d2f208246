import { describe } from 'vitest';
import { describeIsolation } from './isolation/isolation-suite';
import { useSecondCluster } from './isolation/second-server';

// The isolation suite again, with A and B on a second PostgreSQL server (for rls: its shard of the shared tables) and
// the canary on the primary.
const second = useSecondCluster();

describe('rls tenants on a shard of the shared tables', () => describeIsolation('rls', second));
describe('schema tenants on two servers', () => describeIsolation('schema', second));
describe('database tenants on two servers', () => describeIsolation('database', second));
