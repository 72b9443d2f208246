// Shared by the proxy and the auth options; no imports, so the proxy bundle stays small.
export const SESSION_COOKIE = 'web.session-token';
export const SIGN_IN_PATH = '/sign-in';
