import { describeGrants } from './isolation/grants-suite';

describeGrants('database');
