import { DatabaseSecretsProvider } from '@repo/tenancy';

/**
 * This app keeps database tenants' role passwords encrypted in its own database: every process
 * (web, admin, dev runner) reads them with its own connection and TENANCY_SECRETS_KEY.
 */
export function deploymentSecrets(connectionString: string, encryptionKey: string, contextSecret: string): DatabaseSecretsProvider {
  return new DatabaseSecretsProvider({ connectionString, encryptionKey, contextSecret });
}
