import { describe } from 'vitest';
import { useSecondCluster } from './isolation/second-server';
import { describeTamper } from './isolation/tamper-suite';

// The tamper suite again, with A and B on a second PostgreSQL server and the canary on the primary.
const second = useSecondCluster();

describe('schema tenants on two servers', () => describeTamper('schema', second));
describe('database tenants on two servers', () => describeTamper('database', second));
