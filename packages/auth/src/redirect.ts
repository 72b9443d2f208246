// Where the apps may send a browser after sign-in, sign-out or any other step that takes a target from the request.
// A target is accepted only when a URL parser puts it on the app's own origin, because that is what the browser
// does with it: `/\evil.example`, `//evil.example` and `/<TAB>/evil.example` look like paths to a string check but
// are read as another host (the WHATWG parser treats `\` like `/` and drops tabs and newlines).

/** Never a real host: what a relative target is resolved against when the app's origin is not at hand. */
const PLACEHOLDER_ORIGIN = 'http://app.invalid';

export interface SafeRedirectOptions {
  /** Where anything refused goes. Default `/`, the home page. */
  fallback?: string;
  /**
   * The app's own origin (e.g. next-auth's baseUrl). When given, an absolute URL on that origin is accepted too;
   * without it only paths are.
   */
  origin?: string;
  /** Paths that must not be targets, e.g. the sign-in page itself (a signed-in visit would redirect to itself). */
  exclude?: readonly string[];
}

/**
 * The path (with query and fragment) to redirect to when `value` stays on the app's origin; the fallback otherwise.
 * The result is re-serialised by the URL parser, so what the browser receives is what was checked.
 */
export function safeRedirectPath(value: unknown, options: SafeRedirectOptions = {}): string {
  const fallback = options.fallback ?? '/';
  const target = resolveOnOrigin(value, options.origin);
  if (target === undefined) return fallback;
  const path = `${target.pathname}${target.search}${target.hash}`;
  // Dot segments can leave a path that starts with `//` (`/.//evil.example`): as a Location that is another host.
  if (!path.startsWith('/') || path.startsWith('//')) return fallback;
  if (options.exclude?.some((excluded) => target.pathname === excluded || target.pathname.startsWith(`${excluded}/`))) return fallback;
  return path;
}

/** Same check, for callers that need an absolute URL on `origin` (next-auth's redirect callback). */
export function safeRedirectUrl(value: unknown, origin: string, fallback = '/'): string {
  return new URL(safeRedirectPath(value, { origin, fallback }), origin).toString();
}

function resolveOnOrigin(value: unknown, origin: string | undefined): URL | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string' || raw === '') return undefined;
  const base = origin === undefined ? PLACEHOLDER_ORIGIN : originOf(origin);
  if (base === undefined) return undefined;
  // Only a path, or (with a known origin) an absolute URL: a relative `evil.example/x` or `?x` is nobody's intent.
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(raw);
  if (!absolute && !raw.startsWith('/')) return undefined;
  if (absolute && origin === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw, base);
  } catch {
    return undefined;
  }
  return parsed.origin === base ? parsed : undefined;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
