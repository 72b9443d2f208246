/**
 * Where per-tenant role passwords are kept. Keys are tenant slugs. Implementations: env
 * (read-only, `TENANCY_SECRET_<SLUG>`), a JSON file, and encrypted in the control-plane database.
 */
export interface SecretsProvider {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}
