import { describePooledSession } from './isolation/session-suite';

describePooledSession('rls');
