import { describePooledSession } from './isolation/session-suite.js';

describePooledSession('schema');
