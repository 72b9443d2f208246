'use client';

import { useEffect, useRef } from 'react';

import { FieldError, FormMessage } from '@/components/form-message';
import { Select } from '@/components/select';
import { SubmitButton } from '@/components/submit-button';
import { fieldError, submitted } from '@repo/ui';
import { useOrgAction } from '@/components/use-org-action';
import { useFormAction } from '@repo/ui/use-form-action';

import { createTaskAction } from './actions';

export interface MemberOption {
  id: string;
  name: string;
}

export function NewTaskForm({ projectId, members }: { projectId: string; members: MemberOption[] }) {
  const [state, action] = useFormAction(useOrgAction(createTaskAction));
  const titleRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (state.status === 'ok') titleRef.current?.focus();
  }, [state]);
  const titleError = fieldError(state, 'title');
  const dueError = fieldError(state, 'dueDate');
  const assigneeError = fieldError(state, 'assigneeId');
  return (
    <form action={action} className="form panel panel-body" noValidate aria-label="Add a task">
      <FormMessage state={state} success={false} />
      <input type="hidden" name="projectId" value={projectId} />
      <div className="form-row">
        <div className="field">
          <label className="label" htmlFor="task-title">
            New task
          </label>
          <input
            ref={titleRef}
            className="input"
            id="task-title"
            name="title"
            placeholder="What needs doing?"
            maxLength={300}
            defaultValue={submitted(state, 'title') ?? ''}
            aria-invalid={titleError ? true : undefined}
            aria-describedby={titleError ? 'task-title-error' : undefined}
          />
          <FieldError id="task-title-error" message={titleError} />
        </div>
        <div className="field">
          <label className="label" htmlFor="task-assignee">
            Assignee
          </label>
          <Select className="select" id="task-assignee" name="assigneeId" defaultValue={submitted(state, 'assigneeId') ?? ''}>
            <option value="">Unassigned</option>
            {members.map((member) => (
              <option key={member.id} value={member.id}>
                {member.name}
              </option>
            ))}
          </Select>
          <FieldError id="task-assignee-error" message={assigneeError} />
        </div>
        <div className="field">
          <label className="label" htmlFor="task-due">
            Due date
          </label>
          <input
            className="input"
            id="task-due"
            name="dueDate"
            type="date"
            defaultValue={submitted(state, 'dueDate') ?? ''}
            aria-invalid={dueError ? true : undefined}
            aria-describedby={dueError ? 'task-due-error' : undefined}
          />
          <FieldError id="task-due-error" message={dueError} />
        </div>
        <div className="field">
          <span className="label" aria-hidden="true">
            &nbsp;
          </span>
          <SubmitButton pendingLabel="Adding…">Add task</SubmitButton>
        </div>
      </div>
    </form>
  );
}
