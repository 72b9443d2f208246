import { describeGrants } from './isolation/grants-suite.js';

describeGrants('schema');
