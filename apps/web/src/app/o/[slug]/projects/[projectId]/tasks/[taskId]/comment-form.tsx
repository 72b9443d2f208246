'use client';

import { FieldError, FormMessage } from '@/components/form-message';
import { SubmitButton } from '@/components/submit-button';
import { fieldError, submitted } from '@repo/ui';
import { useOrgAction } from '@/components/use-org-action';
import { useFormAction } from '@repo/ui/use-form-action';

import { addCommentAction } from './actions';

export function CommentForm({ projectId, taskId }: { projectId: string; taskId: string }) {
  const [state, action] = useFormAction(useOrgAction(addCommentAction));
  const bodyError = fieldError(state, 'body');
  return (
    <form action={action} className="form panel panel-body" noValidate aria-label="New comment">
      <FormMessage state={state} success={false} />
      <input type="hidden" name="projectId" value={projectId} />
      <input type="hidden" name="taskId" value={taskId} />
      <div className="field">
        <label className="label" htmlFor="comment-body">
          Your comment
        </label>
        <textarea
          className="textarea"
          id="comment-body"
          name="body"
          placeholder="Share an update, a question, a link…"
          maxLength={5000}
          defaultValue={submitted(state, 'body') ?? ''}
          aria-invalid={bodyError ? true : undefined}
          aria-describedby={bodyError ? 'comment-body-error' : undefined}
        />
        <FieldError id="comment-body-error" message={bodyError} />
      </div>
      <div className="form-actions">
        <SubmitButton pendingLabel="Posting…">Comment</SubmitButton>
      </div>
    </form>
  );
}
