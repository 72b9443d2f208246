export { createAuthOptions, type CredentialsAuthConfig, type SignedInUser } from './options.js';
export { credentialsSchema, type Credentials } from './credentials.js';
