import { describePooledSession } from './isolation/session-suite';

describePooledSession('database');
