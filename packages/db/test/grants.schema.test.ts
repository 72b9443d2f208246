import { describeGrants } from './isolation/grants-suite';

describeGrants('schema');
