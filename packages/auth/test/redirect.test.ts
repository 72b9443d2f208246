import { describe, expect, it } from 'vitest';
import { safeRedirectPath, safeRedirectUrl } from '../src/redirect';

// Each of these reads as a path to a naive prefix check, and as another host to a URL parser (which is what the
// browser uses on a Location header or location.assign).
const OFF_SITE = [
  ['backslash', '/\\evil.example'],
  ['tab between slashes (decoded %09)', '/\t/evil.example'],
  ['newline between slashes', '/\n/evil.example'],
  ['protocol-relative', '//evil.example'],
  ['absolute', 'https://evil.example'],
  ['backslash then t', '/\\t/evil.example'],
  ['javascript scheme', 'javascript:alert(1)'],
  ['data scheme', 'data:text/html,<script>alert(1)</script>'],
] as const;

// On the origin to the parser, but refused anyway: the first serialises to a path that starts with `//`, which as a
// relative Location is another host; the second is relative to the current page, which no caller means.
const AMBIGUOUS = [
  ['dot segment leaving two slashes', '/.//evil.example'],
  ['relative without a slash', 'evil.example/projects'],
] as const;

describe('safeRedirectPath', () => {
  it.each(OFF_SITE)('refuses %s', (_name, value) => {
    expect(new URL(value, 'http://app.test').origin, 'the case is really off-site (or not http)').not.toBe('http://app.test');
    expect(safeRedirectPath(value)).toBe('/');
    expect(safeRedirectPath(value, { origin: 'http://app.test' })).toBe('/');
  });

  it.each(AMBIGUOUS)('refuses %s', (_name, value) => {
    expect(safeRedirectPath(value)).toBe('/');
    expect(safeRedirectPath(value, { origin: 'http://app.test' })).toBe('/');
  });

  it('keeps a path with its query and fragment', () => {
    expect(safeRedirectPath('/projects/1?tab=tasks#t2')).toBe('/projects/1?tab=tasks#t2');
  });

  it('keeps an encoded tab, which is a harmless path segment', () => {
    expect(safeRedirectPath('/%09/evil.example')).toBe('/%09/evil.example');
  });

  it('accepts an absolute URL only on the given origin', () => {
    expect(safeRedirectPath('http://app.test/members', { origin: 'http://app.test' })).toBe('/members');
    expect(safeRedirectPath('http://app.test/members')).toBe('/');
    expect(safeRedirectPath('http://app.test:8080/members', { origin: 'http://app.test' })).toBe('/');
    expect(safeRedirectPath('https://app.test/members', { origin: 'http://app.test' })).toBe('/');
  });

  it('uses the fallback for missing and non-string values, and the first of an array', () => {
    expect(safeRedirectPath(undefined, { fallback: '/tenants' })).toBe('/tenants');
    expect(safeRedirectPath('', { fallback: '/tenants' })).toBe('/tenants');
    expect(safeRedirectPath(42)).toBe('/');
    expect(safeRedirectPath(['/members', '//evil.example'])).toBe('/members');
  });

  it('refuses excluded paths (the sign-in page would redirect to itself)', () => {
    expect(safeRedirectPath('/sign-in?callbackUrl=%2Fx', { exclude: ['/sign-in'] })).toBe('/');
    expect(safeRedirectPath('/sign-in/', { exclude: ['/sign-in'] })).toBe('/');
    expect(safeRedirectPath('/sign-inside', { exclude: ['/sign-in'] })).toBe('/sign-inside');
  });
});

describe('safeRedirectUrl', () => {
  it('answers an absolute URL on the origin', () => {
    expect(safeRedirectUrl('/projects', 'http://app.test')).toBe('http://app.test/projects');
    expect(safeRedirectUrl('//evil.example', 'http://app.test')).toBe('http://app.test/');
    expect(safeRedirectUrl('http://app.test/x', 'http://app.test/')).toBe('http://app.test/x');
  });
});
