import { TenancyConfigError } from '../errors';
import type { SecretsProvider } from './provider';

/**
 * Reads `TENANCY_SECRET_<SLUG>` from the environment. Read-only: a deployment that keeps its
 * passwords in env sets them before provisioning, and set() only accepts the value already there.
 */
export class EnvSecretsProvider implements SecretsProvider {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  static variableFor(key: string): string {
    return `TENANCY_SECRET_${key.toUpperCase()}`;
  }

  async get(key: string): Promise<string | undefined> {
    return this.env[EnvSecretsProvider.variableFor(key)] || undefined;
  }

  async set(key: string, value: string): Promise<void> {
    if (this.env[EnvSecretsProvider.variableFor(key)] === value) return;
    throw new TenancyConfigError(
      `The env secrets provider is read-only: set ${EnvSecretsProvider.variableFor(key)} in the environment of every process before provisioning "${key}".`,
    );
  }

  async delete(): Promise<void> {
    // Nothing to remove: the variable belongs to the deployment's environment, not to us.
  }
}
