export { pgbouncerIni } from './ini.js';
export { userlist, pgbouncerUserlist, type UserlistEntry } from './userlist.js';
export { authSetupSql, type AuthSetupOptions } from './auth-sql.js';
export { installPgBouncerAuth, type InstallPgBouncerAuthResult } from './install.js';
export { scramVerifier, passwordMatches } from './scram.js';
export {
  parsePgBouncerInput,
  parsePgBouncerInputWithPassword,
  pgbouncerInputSchema,
  DEFAULT_AUTH_USER,
  DEFAULT_AUTH_QUERY,
  POOL_MODES,
  type PgBouncerInput,
  type PgBouncerConfig,
  type PoolMode,
} from './config.js';
export { POOLER_SETTINGS, poolerFromSetting, type PoolerSetting, type PoolerOption } from './setting.js';
export { PgBouncerConfigError, PgBouncerAuthSetupError } from './errors.js';
export { explainPgBouncerLoginError, PgBouncerLoginError, type PgBouncerLoginFailure, type LoginAttempt } from './login-error.js';
