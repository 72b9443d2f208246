export { generateInitSql, applyInitSql, INIT_SQL_DEFAULTS } from './generate';
