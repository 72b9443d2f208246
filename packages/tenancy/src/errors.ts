/**
 * A caller's value as an error message shows it: JSON-quoted (so quotes, NULs and invisible characters are seen) and
 * cut after 80 characters, so a megabyte of bad input gives a message of one readable line.
 */
export function quoted(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= 80 ? text : `${text.slice(0, 80)}… (${text.length} characters)`;
}

/** Base class so callers can catch every library error with one `instanceof`. */
export class TenancyError extends Error {
  override readonly name: string = 'TenancyError';
}

export class TenantNotFoundError extends TenancyError {
  override readonly name = 'TenantNotFoundError';
  constructor(readonly tenant: string) {
    super(`Tenant "${tenant}" does not exist (check the slug or id, or create it with createTenant).`);
  }
}

export class InvalidTenantSlugError extends TenancyError {
  override readonly name = 'InvalidTenantSlugError';
  constructor(readonly slug: unknown) {
    super(
      `Invalid tenant slug ${quoted(slug)}: use 2-48 characters, a lowercase letter first, then lowercase letters, digits or "_" (^[a-z][a-z0-9_]{1,47}$).`,
    );
  }
}

export class TenantExistsError extends TenancyError {
  override readonly name = 'TenantExistsError';
  constructor(readonly slug: string) {
    super(`Tenant "${slug}" already exists: pick another slug, or delete the existing tenant first.`);
  }
}

export class StrategyNotSupportedError extends TenancyError {
  override readonly name = 'StrategyNotSupportedError';
}

export class TenantContextError extends TenancyError {
  override readonly name = 'TenantContextError';
}

/** A tenant exists but is not `active` (provisioning, moving, deleting): it must not serve requests. */
export class TenantNotActiveError extends TenancyError {
  override readonly name = 'TenantNotActiveError';
  constructor(
    readonly tenant: string,
    readonly status: string,
  ) {
    super(`Tenant "${tenant}" is ${status}, not active: it serves no requests until its lifecycle step finishes (run the same call again to finish it).`);
  }
}

/** The catalog lists a tenant whose placement (its database) is gone from the server: dropped outside the library. */
export class TenantPlacementMissingError extends TenancyError {
  override readonly name = 'TenantPlacementMissingError';
  constructor(
    readonly tenant: string,
    readonly placement: string,
    options: { cause: unknown },
  ) {
    super(
      `Tenant "${tenant}" cannot be served: its ${placement} does not exist, though the catalog lists it (it was dropped outside the library). Restore it from an archive (deleteTenant with { archive: false }, then importTenant), or delete it.`,
      options,
    );
  }
}

export class TenancyConfigError extends TenancyError {
  override readonly name = 'TenancyConfigError';
}

/** A server name the configuration does not list (in createTenant, moveTenant, setServerState, or the catalog). */
export class UnknownServerError extends TenancyError {
  override readonly name = 'UnknownServerError';
  constructor(
    readonly server: unknown,
    known: readonly string[],
  ) {
    super(`No server named ${quoted(server)} in this deployment: the configured servers are ${known.map((n) => `"${n}"`).join(', ')}.`);
  }
}

/**
 * A server could not be reached (stopped, unreachable, refusing connections): its tenants cannot be served until it
 * is back; tenants on the other servers are not affected.
 */
export class ServerUnavailableError extends TenancyError {
  override readonly name = 'ServerUnavailableError';
  constructor(
    readonly server: string,
    options: { cause: unknown },
  ) {
    const reason = (options.cause as { message?: string })?.message ?? String(options.cause);
    super(
      `Server "${server}" cannot be reached (${reason.slice(0, 120)}): its tenants are unavailable until it is back; the other servers' tenants serve.`,
      options,
    );
  }
}

/**
 * Every connection a request could take stayed in use for connectTimeoutMs (the server's maxConnections across its
 * tenant pools, or the tenant's own perTenantPoolSize): the request gave up waiting. The server answers; it is busy.
 */
export class ConnectionWaitTimeoutError extends TenancyError {
  override readonly name = 'ConnectionWaitTimeoutError';
  constructor(
    readonly server: string,
    readonly waitedMs: number,
  ) {
    super(
      `No connection to server "${server}" came free within connectTimeoutMs (${waitedMs} ms): every one its cap (maxConnections) or the tenant's pool (perTenantPoolSize) allows is in use.`,
    );
  }
}

/** A server that takes no new tenants (drained, read-only, or unreachable) was asked to take one. */
export class ServerNotOpenError extends TenancyError {
  override readonly name = 'ServerNotOpenError';
  constructor(
    readonly server: string,
    readonly state: string,
  ) {
    super(`Server "${server}" is ${state.replace('_', '-')}: it takes no new tenants (setServerState("${server}", "open") opens it again).`);
  }
}

export class MigrationError extends TenancyError {
  override readonly name = 'MigrationError';
}

/**
 * The database refused a lookup proof (SQLSTATE TN001): this process signs with another context
 * secret than the deployment holds. Other errors pass unchanged.
 */
export function explainProofRefusal(error: unknown): unknown {
  if ((error as { code?: string })?.code !== 'TN001') return error;
  return new TenantContextError(
    "The database refused this process's lookup: its contextSecret is not the deployment's. After a rotation, restart it with the new secret (or finish the rotation with rotateContextSecret()).",
    { cause: error },
  );
}

/** An archive that cannot be restored as it is: unreadable, corrupted, of another format, or newer than this deployment. Nothing was created. */
export class ArchiveError extends TenancyError {
  override readonly name = 'ArchiveError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`Archive ${pathText(file)}: ${reason}. Nothing was created.`);
  }
}

/** A path as a message shows it: as it is, unless a control character (a line break) or its length would break the line. */
function pathText(file: string): string {
  const control = [...file].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  return control || file.length > 200 ? quoted(file) : file;
}
