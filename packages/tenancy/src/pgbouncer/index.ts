export { pgbouncerIni } from './ini';
export { pgbouncerInisPerServer, type SharedPgBouncerInput } from './servers-ini';
export { userlist, pgbouncerUserlist, type UserlistEntry } from './userlist';
export { authSetupSql, type AuthSetupOptions } from './auth-sql';
export { installPgBouncerAuth, type InstallPgBouncerAuthResult } from './install';
export { scramVerifier, passwordMatches } from './scram';
export {
  parsePgBouncerInput,
  parsePgBouncerInputWithPassword,
  parsePgBouncerServers,
  pgbouncerInputSchema,
  DEFAULT_AUTH_USER,
  DEFAULT_AUTH_QUERY,
  POOL_MODES,
  type PgBouncerInput,
  type PgBouncerConfig,
  type PgBouncerServers,
  type PoolMode,
} from './config';
export { POOLER_SETTINGS, poolerFromSetting, type PoolerSetting, type PoolerOption } from './setting';
export { PgBouncerConfigError, PgBouncerAuthSetupError } from './errors';
export { explainPgBouncerLoginError, PgBouncerLoginError, type PgBouncerLoginFailure, type LoginAttempt } from './login-error';
