import type { z } from 'zod';
import { TenancyError } from '../errors';

/** The generator's input was refused; `fields` names every bad field (dotted path). */
export class PgBouncerConfigError extends TenancyError {
  override readonly name = 'PgBouncerConfigError';
  readonly fields: readonly string[];
  constructor(readonly issues: readonly z.core.$ZodIssue[]) {
    const lines = issues.map((issue) => `  ${fieldOf(issue)}: ${issue.message}`);
    super(`Invalid PgBouncer config:\n${lines.join('\n')}`);
    this.fields = issues.map(fieldOf);
  }
}

/** installPgBouncerAuth could not make the auth lookup usable in a database. */
export class PgBouncerAuthSetupError extends TenancyError {
  override readonly name = 'PgBouncerAuthSetupError';
}

function fieldOf(issue: z.core.$ZodIssue): string {
  return issue.path.map(String).join('.') || '(input)';
}
