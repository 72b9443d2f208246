'use client';

import { STATUS_LABEL } from '@/components/badges';
import { FieldError, FormMessage } from '@/components/form-message';
import { Select } from '@/components/select';
import { SubmitButton } from '@/components/submit-button';
import { fieldError, submitted } from '@repo/ui';
import { useOrgAction } from '@/components/use-org-action';
import { useFormAction } from '@repo/ui/use-form-action';

import { updateTaskAction } from '../../actions';
import type { MemberOption } from '../../new-task-form';

interface TaskValues {
  id: string;
  projectId: string;
  title: string;
  status: keyof typeof STATUS_LABEL;
  assigneeId: string | null;
  dueDate: string | null;
}

export function TaskForm({ task, members }: { task: TaskValues; members: MemberOption[] }) {
  const [state, action] = useFormAction(useOrgAction(updateTaskAction));
  const value = (field: string, saved: string) => submitted(state, field) ?? saved;
  const titleError = fieldError(state, 'title');
  const dueError = fieldError(state, 'dueDate');
  return (
    <form action={action} className="form panel panel-body" noValidate aria-label="Edit task">
      <FormMessage state={state} />
      <input type="hidden" name="projectId" value={task.projectId} />
      <input type="hidden" name="taskId" value={task.id} />
      <div className="field">
        <label className="label" htmlFor="edit-title">
          Title
        </label>
        <input
          className="input"
          id="edit-title"
          name="title"
          maxLength={300}
          defaultValue={value('title', task.title)}
          aria-invalid={titleError ? true : undefined}
          aria-describedby={titleError ? 'edit-title-error' : undefined}
        />
        <FieldError id="edit-title-error" message={titleError} />
      </div>
      <div className="details">
        <div className="field">
          <label className="label" htmlFor="edit-status">
            Status
          </label>
          <Select className="select" id="edit-status" name="status" defaultValue={value('status', task.status)}>
            {Object.entries(STATUS_LABEL).map(([status, label]) => (
              <option key={status} value={status}>
                {label}
              </option>
            ))}
          </Select>
        </div>
        <div className="field">
          <label className="label" htmlFor="edit-assignee">
            Assignee
          </label>
          <Select className="select" id="edit-assignee" name="assigneeId" defaultValue={value('assigneeId', task.assigneeId ?? '')}>
            <option value="">Unassigned</option>
            {members.map((member) => (
              <option key={member.id} value={member.id}>
                {member.name}
              </option>
            ))}
          </Select>
          <FieldError id="edit-assignee-error" message={fieldError(state, 'assigneeId')} />
        </div>
        <div className="field">
          <label className="label" htmlFor="edit-due">
            Due date
          </label>
          <input
            className="input"
            id="edit-due"
            name="dueDate"
            type="date"
            defaultValue={value('dueDate', task.dueDate ?? '')}
            aria-invalid={dueError ? true : undefined}
            aria-describedby={dueError ? 'edit-due-error' : undefined}
          />
          <FieldError id="edit-due-error" message={dueError} />
        </div>
      </div>
      <div className="form-actions">
        <SubmitButton pendingLabel="Saving…">Save task</SubmitButton>
      </div>
    </form>
  );
}
