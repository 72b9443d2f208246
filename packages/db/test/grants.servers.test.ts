import { describe } from 'vitest';
import { describeGrants } from './isolation/grants-suite';
import { useSecondCluster } from './isolation/second-server';

// The grants suite again, with A and B on a second PostgreSQL server (for rls: its shard of the shared tables) and the
// canary on the primary.
const second = useSecondCluster();

describe('rls tenants on a shard of the shared tables', () => describeGrants('rls', second));
describe('schema tenants on two servers', () => describeGrants('schema', second));
describe('database tenants on two servers', () => describeGrants('database', second));
