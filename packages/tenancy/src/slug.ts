/**
 * The rule every tenant slug follows (the catalog's CHECK says the same in SQL). A module without imports, so a
 * browser bundle can take it too: the admin's create form checks it before anything is sent.
 */
export const SLUG_PATTERN = /^[a-z][a-z0-9_]{1,47}$/;

/** The same rule as an HTML `pattern` attribute, which is anchored by the browser. */
export const SLUG_HTML_PATTERN = SLUG_PATTERN.source.slice(1, -1);

/** The rule in words, for forms. */
export const SLUG_RULE_TEXT = 'Use 2-48 characters: a lowercase letter first, then lowercase letters, digits or "_".';
