'use client';

import { fieldError } from '@repo/ui';
import { useFormAction } from '@repo/ui/use-form-action';

import type { SupportRequestState } from '@/app/(console)/support/[slug]/actions';
import { useHydrated } from '@/lib/use-hydrated';

export function SupportRequestForm({ slug, action }: { slug: string; action: (state: SupportRequestState, form: FormData) => Promise<SupportRequestState> }) {
  const [state, formAction, pending] = useFormAction(action);
  const ready = useHydrated();
  const reasonError = fieldError(state, 'reason');
  const sent = state.status === 'error' ? state.values : undefined;
  if (state.status === 'ok') {
    return (
      <p className="alert" role="status" data-testid="support-requested">
        Request sent. An owner or admin of the organisation approves it in the web app (Support access); reload this page then.
      </p>
    );
  }
  return (
    <form className="form" action={formAction} data-ready={ready || undefined}>
      <input type="hidden" name="slug" value={slug} />
      <div className={reasonError ? 'field invalid' : 'field'}>
        <label htmlFor="reason">Reason (the organisation sees it)</label>
        <textarea id="reason" name="reason" rows={2} maxLength={500} defaultValue={sent?.reason ?? ''} aria-invalid={reasonError ? true : undefined} />
        {reasonError && <p className="field-error">{reasonError}</p>}
      </div>
      {state.status === 'error' && !reasonError && (
        <p className="alert alert-error" role="alert">
          {state.message}
        </p>
      )}
      <div className="form-actions">
        <button className="button button-primary" type="submit" disabled={pending}>
          {pending ? 'Sending…' : 'Request access'}
        </button>
      </div>
    </form>
  );
}
