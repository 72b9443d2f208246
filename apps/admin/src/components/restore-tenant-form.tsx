'use client';

import Link from 'next/link';
import { SLUG_HTML_PATTERN } from '@repo/tenancy/slug';

import { fieldError, submitted } from '@repo/ui';
import { useFormAction } from '@repo/ui/use-form-action';

import { formatCount, formatDuration } from '@/lib/format';
import { STRATEGY_INFO } from '@/lib/labels';
import { useHydrated } from '@/lib/use-hydrated';
import type { RestoreState } from '@/app/(console)/tenants/restore/actions';

type Strategy = keyof typeof STRATEGY_INFO;

export interface RestoreDefaults {
  source: 'archive' | 'upload';
  file: string;
  slug: string;
  name: string;
  strategy: Strategy;
  id: 'archive' | 'new';
}

export function RestoreTenantForm({ defaults, action }: { defaults: RestoreDefaults; action: (state: RestoreState, form: FormData) => Promise<RestoreState> }) {
  const [state, formAction, pending] = useFormAction(action);
  const ready = useHydrated();

  if (state.status === 'ok') {
    const { result } = state;
    return (
      <section className="result" data-testid="restore-result" role="status">
        <h2>
          <span className="check" aria-hidden>
            ✓
          </span>{' '}
          Tenant <code>{result.slug}</code> restored
        </h2>
        <dl className="facts">
          <dt>Name</dt>
          <dd>{result.name}</dd>
          <dt>Strategy</dt>
          <dd>
            <span className={`pill strategy-${result.strategy}`}>{result.strategy}</span>
          </dd>
          <dt>Id</dt>
          <dd>
            <code>{result.id}</code> {result.idFrom === 'archive' ? '(the archive’s)' : '(new: a copy)'}
          </dd>
          <dt>Schema version</dt>
          <dd>
            <code>{result.schemaVersion ?? '—'}</code>
          </dd>
          <dt>Rows</dt>
          <dd data-testid="restored-rows">{result.tables.map(([table, n]) => `${formatCount(n)} ${table}`).join(' · ')}</dd>
          <dt>Took</dt>
          <dd>{formatDuration(result.ms)}</dd>
        </dl>
        <p className="muted">Members are not part of an archive: add the tenant’s users in the web app, or give them memberships again.</p>
        <div className="form-actions">
          <Link className="button button-primary" href={`/tenants/${result.slug}`}>
            Open {result.slug}
          </Link>
          <Link className="button button-ghost" href="/tenants">
            Back to tenants
          </Link>
        </div>
      </section>
    );
  }

  // After a refusal React resets the form to its defaults: the defaults are what was sent.
  const value = (field: keyof RestoreDefaults) => submitted(state, field) ?? defaults[field];
  const slugError = fieldError(state, 'slug');
  const nameError = fieldError(state, 'name');
  const idError = fieldError(state, 'id');
  return (
    <form className="form" action={formAction} data-ready={ready || undefined} aria-busy={pending}>
      <input type="hidden" name="source" value={defaults.source} />
      <input type="hidden" name="file" value={defaults.file} />
      <fieldset disabled={pending}>
        <legend>Restore as</legend>
        <div className="row-2">
          <div className={slugError ? 'field invalid' : 'field'}>
            <label htmlFor="slug">Slug</label>
            <input
              id="slug"
              name="slug"
              defaultValue={value('slug')}
              key={`slug-${state.status === 'error' ? state.at : 0}`}
              required
              pattern={SLUG_HTML_PATTERN}
              autoComplete="off"
              spellCheck={false}
              aria-describedby="slug-help"
            />
            {slugError ? (
              <span className="field-error" id="slug-help">
                {slugError}
              </span>
            ) : (
              <span className="field-hint" id="slug-help">
                The archive’s by default; a slug in use is refused.
              </span>
            )}
          </div>
          <div className={nameError ? 'field invalid' : 'field'}>
            <label htmlFor="name">Name</label>
            <input id="name" name="name" defaultValue={value('name')} key={`name-${state.status === 'error' ? state.at : 0}`} required maxLength={200} />
            {nameError && <span className="field-error">{nameError}</span>}
          </div>
        </div>
        <div className="field" role="radiogroup" aria-label="Strategy">
          <span>Strategy</span>
          <div className="strategy-options" key={`strategy-${state.status === 'error' ? state.at : 0}`}>
            {(Object.keys(STRATEGY_INFO) as Strategy[]).map((s) => (
              <label key={s} className="strategy-option">
                <input type="radio" name="strategy" value={s} defaultChecked={value('strategy') === s} />
                <span className={`pill strategy-${s}`}>{s}</span>
                <strong>{STRATEGY_INFO[s].label}</strong>
                {s === defaults.strategy && <small className="muted">the archive’s</small>}
              </label>
            ))}
          </div>
        </div>
        <div className={idError ? 'field invalid' : 'field'} role="radiogroup" aria-label="Tenant id" key={`id-${state.status === 'error' ? state.at : 0}`}>
          <span>Tenant id</span>
          <label className="radio">
            <input type="radio" name="id" value="archive" defaultChecked={value('id') === 'archive'} />
            Restore under the archive’s id (what refers to the tenant, such as its members, finds it again)
          </label>
          <label className="radio">
            <input type="radio" name="id" value="new" defaultChecked={value('id') === 'new'} />
            As a copy with a new id (beside the original)
          </label>
          {idError && <span className="field-error">{idError}</span>}
        </div>
      </fieldset>
      {state.status === 'error' && !state.fieldErrors && (
        <p className="alert alert-error" role="alert" data-testid="restore-error">
          {state.message}
        </p>
      )}
      <div className="form-actions">
        <button className="button button-primary" type="submit" disabled={pending}>
          {pending ? 'Restoring…' : 'Restore tenant'}
        </button>
        <Link className="button button-ghost" href="/tenants/restore">
          Cancel
        </Link>
      </div>
    </form>
  );
}
