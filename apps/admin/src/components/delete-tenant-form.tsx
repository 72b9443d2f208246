'use client';

import Link from 'next/link';
import { useState } from 'react';

import { fieldError } from '@repo/ui';
import { useFormAction } from '@repo/ui/use-form-action';

import { formatDuration } from '@/lib/format';
import { useHydrated } from '@/lib/use-hydrated';
import type { DeleteState } from '@/app/(console)/tenants/[slug]/delete/actions';

export function DeleteTenantForm({
  slug,
  archiveDir,
  action,
}: {
  slug: string;
  archiveDir: string;
  action: (state: DeleteState, form: FormData) => Promise<DeleteState>;
}) {
  const [state, formAction, pending] = useFormAction(action);
  const [confirm, setConfirm] = useState('');
  const ready = useHydrated();

  if (state.status === 'ok') {
    const { result } = state;
    return (
      <section className="result" data-testid="delete-result" role="status">
        <h2>
          <span className="check" aria-hidden>
            ✓
          </span>{' '}
          Tenant <code>{result.slug}</code> deleted
        </h2>
        <dl className="facts">
          <dt>Archive</dt>
          <dd>{result.archive ? <code data-testid="archive-path">{result.archive}</code> : 'none (deleted without an archive)'}</dd>
          <dt>Took</dt>
          <dd>{formatDuration(result.ms)}</dd>
        </dl>
        <div className="form-actions">
          <Link className="button button-primary" href="/tenants">
            Back to tenants
          </Link>
        </div>
      </section>
    );
  }

  const confirmError = fieldError(state, 'confirm');
  // After a refusal or a failed request React resets the form to its defaults: the defaults are what was sent.
  const sent = state.status === 'error' ? state.values : undefined;
  const matches = confirm === slug;
  return (
    <form className="form" action={formAction} data-ready={ready || undefined}>
      <input type="hidden" name="slug" value={slug} />
      <label className="checkbox">
        <input type="checkbox" name="archive" defaultChecked={sent ? sent.archive === 'on' : true} />
        <span>
          Archive first: write every row to an archive (.tar.gz, restorable with importTenant) in <code>{archiveDir}</code> before deleting
        </span>
      </label>
      <div className={confirmError ? 'field invalid' : 'field'}>
        <label htmlFor="confirm">
          Type <code>{slug}</code> to confirm
        </label>
        <input
          id="confirm"
          name="confirm"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          aria-describedby="confirm-help"
        />
        {confirmError ? (
          <span className="field-error" id="confirm-help" role="alert">
            {confirmError}
          </span>
        ) : (
          <span className="field-hint" id="confirm-help">
            This cannot be undone{confirm && !matches ? ': the text does not match the slug yet' : ''}.
          </span>
        )}
      </div>
      {state.status === 'error' && !state.fieldErrors && (
        <p className="alert alert-error" role="alert">
          {state.message}
        </p>
      )}
      <div className="form-actions">
        <button className="button button-danger" type="submit" disabled={!matches || pending}>
          {pending ? 'Deleting…' : 'Delete this tenant'}
        </button>
        <Link className="button button-ghost" href="/tenants">
          Cancel
        </Link>
      </div>
    </form>
  );
}
