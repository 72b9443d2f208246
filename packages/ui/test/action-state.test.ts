import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { fieldError, IDLE, invalidFields, submitted, textFields } from '../src/action-state';
import { isConnectionFailure, requestFailureMessage } from '../src/use-form-action';

describe('action state', () => {
  it('keeps a form’s text fields and leaves out Next’s own fields and files', () => {
    const form = new FormData();
    form.set('name', 'Acme');
    form.set('$ACTION_ID_abc', '');
    form.set('logo', new Blob(['x']), 'logo.png');
    expect(textFields(form)).toEqual({ name: 'Acme' });
  });

  it('turns a validation failure into field errors and the values that were sent', () => {
    const schema = z.object({ slug: z.string().regex(/^[a-z]+$/, 'lowercase letters only'), name: z.string().min(1) });
    const values = { slug: 'Bad Slug', name: 'Acme' };
    const state = invalidFields(schema.safeParse(values).error!, values);
    expect(state).toMatchObject({ status: 'error', kind: 'invalid' });
    expect(fieldError(state, 'slug')).toBe('lowercase letters only');
    expect(fieldError(state, 'name')).toBeUndefined();
    expect(submitted(state, 'slug')).toBe('Bad Slug');
    expect(fieldError(IDLE, 'slug')).toBeUndefined();
    expect(submitted(IDLE, 'slug')).toBeUndefined();
  });

  it('tells a connection failure from a bad answer, and promises neither that the work was nor was not done', () => {
    expect(isConnectionFailure(new TypeError('Failed to fetch'))).toBe(true);
    expect(isConnectionFailure(new Error('An unexpected response was received from the server.'))).toBe(false);
    expect(requestFailureMessage(new TypeError('Failed to fetch'))).toMatch(/Could not reach the server, so it is not known whether this went through/);
    expect(requestFailureMessage(new Error('bad gateway'))).toMatch(/did not answer as expected, so it is not known whether this went through/);
  });
});
