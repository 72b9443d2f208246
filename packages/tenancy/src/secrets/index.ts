export type { SecretsProvider } from './provider.js';
export { EnvSecretsProvider } from './env.js';
export { FileSecretsProvider } from './file.js';
export { DatabaseSecretsProvider, type DatabaseSecretsOptions } from './database.js';
export { generatePassword } from './password.js';
