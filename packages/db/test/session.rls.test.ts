import { describePooledSession } from './isolation/session-suite.js';

describePooledSession('rls');
