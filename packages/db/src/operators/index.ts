export {
  ensureFirstOperator,
  FIRST_OPERATOR_DEFAULT_EMAIL,
  FIRST_OPERATOR_MIN_PASSWORD_LENGTH,
  FIRST_OPERATOR_NAME,
  type FirstOperatorInput,
  type FirstOperatorOutcome,
} from './first-operator';
export { isPublishedPassword, PUBLISHED_PASSWORDS, removePublishedPasswordOperators } from './published-passwords';
