export {
  createJobQueue,
  type JobContext,
  type JobDefinition,
  type JobLog,
  type JobQueue,
  type JobQueueConfig,
  type JobResult,
  type JobTenant,
  type QueueDatabase,
} from './queue';
export { RetryLaterError, tenantOutcome, type TenantOutcome } from './outcome';
