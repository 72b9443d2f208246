import { describePooledSession } from './isolation/session-suite';

describePooledSession('schema');
