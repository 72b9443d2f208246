export { createAuthOptions, type CredentialsAuthConfig, type SignedInUser } from './options';
export { credentialsSchema, type Credentials } from './credentials';
