export type { SecretsProvider } from './provider';
export { EnvSecretsProvider } from './env';
export { FileSecretsProvider } from './file';
export { DatabaseSecretsProvider, type DatabaseSecretsOptions } from './database';
export { generatePassword } from './password';
