'use client';

import { useState } from 'react';

import { FormMessage } from '@/components/form-message';
import { Select } from '@/components/select';
import { SubmitButton } from '@/components/submit-button';
import { useOrgAction } from '@/components/use-org-action';
import { fieldError } from '@repo/ui';
import { useFormAction } from '@repo/ui/use-form-action';

import { createApiKeyAction } from './actions';

/** Name and scope; after a creation, the key itself, once, with a copy button. */
export function CreateKeyForm() {
  const [state, action] = useFormAction(useOrgAction(createApiKeyAction));
  const [copied, setCopied] = useState<string | null>(null);
  const created = state.status === 'ok' ? state.result : undefined;
  return (
    <div className="panel" style={{ padding: '1rem', display: 'grid', gap: '0.75rem' }}>
      <form action={action} aria-label="Create an API key" style={{ display: 'flex', gap: '0.5rem', flexWrap: 'wrap', alignItems: 'end' }}>
        <div className="field" style={{ flex: '1 1 14rem', marginBottom: 0 }}>
          <label className="label" htmlFor="api-key-name">
            Name
          </label>
          <input
            id="api-key-name"
            className="input"
            name="name"
            required
            maxLength={100}
            placeholder="CI deploys"
            defaultValue={state.status === 'error' ? state.values?.name : ''}
            aria-invalid={fieldError(state, 'name') ? true : undefined}
          />
        </div>
        <div className="field" style={{ marginBottom: 0 }}>
          <label className="label" htmlFor="api-key-scope">
            Scope
          </label>
          <Select id="api-key-scope" className="select" name="scope" defaultValue="read">
            <option value="read">Read: list and read projects and tasks</option>
            <option value="write">Write: also create, change and delete</option>
          </Select>
        </div>
        <SubmitButton pendingLabel="Creating…">Create key</SubmitButton>
      </form>
      {state.status === 'error' && <FormMessage state={state} />}
      {created && (
        <div role="status" aria-label="New API key" style={{ display: 'grid', gap: '0.5rem' }}>
          <p style={{ margin: 0 }}>{state.status === 'ok' ? state.message : null}</p>
          <div style={{ display: 'flex', gap: '0.5rem', flexWrap: 'wrap', alignItems: 'center' }}>
            <code className="wrap-anywhere" data-testid="new-api-key" style={{ flex: '1 1 20rem' }}>
              {created.key}
            </code>
            <button
              type="button"
              className="btn btn-default btn-sm"
              onClick={() => {
                void navigator.clipboard.writeText(created.key).then(
                  () => setCopied(created.key),
                  () => setCopied(null),
                );
              }}
            >
              {copied === created.key ? 'Copied' : 'Copy'}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
