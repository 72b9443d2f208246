import { describeTamper } from './isolation/tamper-suite.js';

describeTamper('database');
