import 'server-only';

import type {
  ArchiveError,
  InvalidTenantSlugError,
  MigrationError,
  PgBouncerLoginError,
  ServerNotOpenError,
  ServerUnavailableError,
  StrategyNotSupportedError,
  TenancyConfigError,
  TenancyError,
  TenantContextError,
  TenantExistsError,
  TenantNotActiveError,
  TenantNotFoundError,
  UnknownServerError,
} from '@repo/tenancy';

// Which of the tenancy library's errors a caught error is, told by its name, never by instanceof. Next bundles the
// route handlers apart from the pages and server actions, each with its own copy of @repo/tenancy, while the one
// tenancy instance (./tenancy.ts, on globalThis) is built by whichever ran first: an error it throws is an instance
// of the other copy's class as often as not. Each class sets its name explicitly, so the name survives both the
// second copy and minification.

interface Named {
  TenancyError: TenancyError;
  TenantNotFoundError: TenantNotFoundError;
  InvalidTenantSlugError: InvalidTenantSlugError;
  TenantExistsError: TenantExistsError;
  StrategyNotSupportedError: StrategyNotSupportedError;
  TenantContextError: TenantContextError;
  TenantNotActiveError: TenantNotActiveError;
  TenancyConfigError: TenancyConfigError;
  MigrationError: MigrationError;
  ArchiveError: ArchiveError;
  PgBouncerLoginError: PgBouncerLoginError;
  UnknownServerError: UnknownServerError;
  ServerUnavailableError: ServerUnavailableError;
  ServerNotOpenError: ServerNotOpenError;
}

const NAMES = new Set<string>([
  'TenancyError',
  'TenantNotFoundError',
  'InvalidTenantSlugError',
  'TenantExistsError',
  'StrategyNotSupportedError',
  'TenantContextError',
  'TenantNotActiveError',
  'TenancyConfigError',
  'MigrationError',
  'ArchiveError',
  'PgBouncerLoginError',
  'UnknownServerError',
  'ServerUnavailableError',
  'ServerNotOpenError',
] satisfies (keyof Named)[]);

/** Whether `error` is the library's error named `name`, or with no name given any of its errors. */
export function isTenancyError<N extends keyof Named>(error: unknown, name: N): error is Named[N];
export function isTenancyError(error: unknown): error is TenancyError;
export function isTenancyError(error: unknown, name?: keyof Named): boolean {
  if (!(error instanceof Error)) return false;
  return name === undefined ? NAMES.has(error.name) : error.name === name;
}
