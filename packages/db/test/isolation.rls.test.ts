import { describeIsolation } from './isolation/isolation-suite';

describeIsolation('rls');
