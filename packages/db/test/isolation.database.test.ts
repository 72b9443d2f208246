import { describeIsolation } from './isolation/isolation-suite.js';

describeIsolation('database');
