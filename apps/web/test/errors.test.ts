import { describe, expect, it } from 'vitest';

import { describeError, UserFacingError } from '../src/server/errors';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('describeError', () => {
  it('turns a row-level security refusal into a role message, without the SQL', () => {
    const described = describeError(pgError('42501', 'new row violates row-level security policy for table "projects"'));
    expect(described).toMatchObject({ kind: 'forbidden', code: '42501', expected: true });
    expect(described.message).not.toMatch(/row-level|policy|projects/);
  });

  it('maps foreign-key, check and member-function refusals to user messages', () => {
    expect(describeError(pgError('23503', 'insert or update on table "tasks" violates foreign key constraint "tasks_project_fk"'))).toMatchObject({
      kind: 'not-found',
    });
    expect(describeError(pgError('23514', 'violates check constraint'))).toMatchObject({ kind: 'invalid' });
    expect(describeError(pgError('TA001', 'a tenant needs at least one owner')).message).toMatch(/at least one owner/);
    expect(describeError(pgError('TA002', 'only an owner may remove an owner'))).toMatchObject({ kind: 'forbidden', expected: true });
    expect(describeError(pgError('TA002', 'only an owner may remove an owner')).message).toMatch(/Only an owner can/);
    expect(describeError(pgError('P0002', 'no such member')).message).toMatch(/not a member/);
  });

  it('refuses text with a NUL character as invalid input, not as a failure of ours', () => {
    // What node-postgres reports for a parameter holding \u0000 (found by e2e/properties-api.spec.ts: a 500 before).
    const described = describeError(pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'));
    expect(described).toMatchObject({ kind: 'invalid', expected: true, code: '22021' });
    expect(described.message).toMatch(/NUL/);
  });

  it('treats unknown failures as unexpected, with a generic message', () => {
    const described = describeError(pgError('42P01', 'relation "projects" does not exist'));
    expect(described).toMatchObject({ kind: 'unknown', expected: false, code: '42P01' });
    expect(described.message).not.toMatch(/relation|projects/);
    expect(describeError(new TypeError('x is undefined'))).toMatchObject({ kind: 'unknown', expected: false });
  });

  it('passes the app’s own refusals through', () => {
    expect(describeError(new UserFacingError('forbidden', 'Only the task’s creator or an admin can change it.'))).toMatchObject({
      kind: 'forbidden',
      message: 'Only the task’s creator or an admin can change it.',
    });
  });

  it('reports an unreachable database as unavailable', () => {
    expect(describeError(pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'))).toMatchObject({ kind: 'unavailable', expected: false });
    expect(describeError(pgError('08006', 'connection failure'))).toMatchObject({ kind: 'unavailable' });
    const notActive = Object.assign(new Error('Tenant "acme" is moving'), { name: 'TenantNotActiveError' });
    expect(describeError(notActive)).toMatchObject({ kind: 'unavailable', expected: true });
  });
});

describe('describeError with wrapped errors', () => {
  it('reads the SQLSTATE from the cause drizzle keeps', () => {
    const cause = pgError('42501', 'new row violates row-level security policy for table "projects"');
    const wrapped = Object.assign(new Error('Failed query: insert into "projects" ... params: x'), { name: 'DrizzleQueryError', cause });
    const described = describeError(wrapped);
    expect(described).toMatchObject({ kind: 'forbidden', code: '42501' });
    expect(described.message).not.toMatch(/insert|projects/);
  });
});
