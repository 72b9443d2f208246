import { describeTamper } from './isolation/tamper-suite';

describeTamper('rls');
