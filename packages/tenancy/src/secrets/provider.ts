/** Where per-tenant role passwords are kept. Implementations: env, JSON file, encrypted in the control-plane database. */
export interface SecretsProvider {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}
