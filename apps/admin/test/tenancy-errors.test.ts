import { ArchiveError, TenantExistsError } from '@repo/tenancy';
import { describe, expect, it } from 'vitest';

import { isTenancyError } from '../src/server/tenancy-errors';

// Next gives the route handlers and the pages each their own copy of @repo/tenancy, and the one tenancy instance
// throws the classes of whichever built it: a library error must be recognised whichever copy it comes from.

/** What the other copy's ArchiveError looks like from here: another class, the same name. */
class ForeignArchiveError extends Error {
  override readonly name = 'ArchiveError';
}

describe('isTenancyError', () => {
  it('knows the library errors of this copy, by name or any of them', () => {
    const error = new ArchiveError('/x.tar.gz', 'it is empty');
    expect(isTenancyError(error, 'ArchiveError')).toBe(true);
    expect(isTenancyError(error)).toBe(true);
    expect(isTenancyError(error, 'TenantExistsError')).toBe(false);
    expect(isTenancyError(new TenantExistsError('acme'), 'TenantExistsError')).toBe(true);
  });

  it('knows them from another copy of the library, where instanceof fails', () => {
    const error = new ForeignArchiveError('Archive x: it is empty. Nothing was created.');
    expect(error instanceof ArchiveError).toBe(false);
    expect(isTenancyError(error, 'ArchiveError')).toBe(true);
    expect(isTenancyError(error)).toBe(true);
  });

  it('takes nothing else for one of them', () => {
    expect(isTenancyError(new Error('boom'))).toBe(false);
    expect(isTenancyError({ name: 'ArchiveError', message: 'not an Error' }, 'ArchiveError')).toBe(false);
    expect(isTenancyError('ArchiveError')).toBe(false);
  });
});
