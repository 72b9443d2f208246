import type { CommandFactory } from '../command';
import { auditCommand } from './audit';
import { createCommand } from './create';
import { deleteCommand } from './delete';
import { exportCommand } from './export';
import { importCommand } from './import';
import { listCommand } from './list';
import { migrateCommand } from './migrate';
import { moveCommand } from './move';
import { pgbouncerConfigCommand } from './pgbouncer-config';
import { planCommand } from './plan';
import { rotateSecretCommand } from './rotate-secret';
import { serversCommand } from './servers';
import { setupCommand } from './setup';

/** Every command, in the order `tenancy --help` lists them. A new command is one file here and one line below. */
export const COMMANDS: readonly CommandFactory[] = [
  setupCommand,
  createCommand,
  listCommand,
  exportCommand,
  importCommand,
  moveCommand,
  serversCommand,
  planCommand,
  deleteCommand,
  migrateCommand,
  rotateSecretCommand,
  auditCommand,
  pgbouncerConfigCommand,
];
