// A worker process for queue.test.ts's kill-safety case: it takes one job of the `once` queue, says so on stdout, and
// never finishes it; the test then kills it with SIGKILL.
import pg from 'pg';
import { createJobQueue } from '../src/index';

const pool = new pg.Pool({ connectionString: process.env.QUEUE_URL, max: 2 });
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const queue = createJobQueue({
  db: pool,
  tenancy: {
    withTenant: () => {
      throw new Error('no tenant jobs here');
    },
  },
  log: silent,
  pollingIntervalSeconds: 0.5,
  jobs: [
    {
      name: 'once',
      handler: () => {
        process.stdout.write('taken\n');
        return new Promise<void>(() => undefined);
      },
    },
  ],
});
await queue.start({ work: true });
process.stdout.write('ready\n');
