'use client';

import { STATUS_LABEL } from '@/components/badges';
import { Select } from '@/components/select';
import { useOrgAction, type OrgAction } from '@/components/use-org-action';
import { useFormAction } from '@repo/ui/use-form-action';

import { assignTaskAction, setTaskStatusAction } from './actions';
import type { MemberOption } from './new-task-form';

type Status = keyof typeof STATUS_LABEL;

/** A select that saves on change; the refusal, if any, shows right under it. */
function AutoSubmitSelect({
  action,
  hidden,
  name,
  label,
  value,
  options,
}: {
  action: OrgAction;
  hidden: Record<string, string>;
  name: string;
  label: string;
  value: string;
  options: { value: string; label: string }[];
}) {
  const [state, formAction, pending] = useFormAction(useOrgAction(action));
  return (
    <form action={formAction}>
      {Object.entries(hidden).map(([key, v]) => (
        <input key={key} type="hidden" name={key} value={v} />
      ))}
      <Select
        className="select select-sm"
        name={name}
        aria-label={label}
        defaultValue={value}
        disabled={pending}
        onChange={(event) => event.currentTarget.form?.requestSubmit()}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </Select>
      {state.status === 'error' && (
        <p className="field-error" role="alert">
          {state.message}
        </p>
      )}
    </form>
  );
}

export function TaskStatusSelect({ projectId, taskId, title, status }: { projectId: string; taskId: string; title: string; status: Status }) {
  return (
    <AutoSubmitSelect
      action={setTaskStatusAction}
      hidden={{ projectId, taskId }}
      name="status"
      label={`Status of ${title}`}
      value={status}
      options={Object.entries(STATUS_LABEL).map(([value, label]) => ({ value, label }))}
    />
  );
}

export function TaskAssigneeSelect({
  projectId,
  taskId,
  title,
  assigneeId,
  members,
}: {
  projectId: string;
  taskId: string;
  title: string;
  assigneeId: string | null;
  members: MemberOption[];
}) {
  return (
    <AutoSubmitSelect
      action={assignTaskAction}
      hidden={{ projectId, taskId }}
      name="assigneeId"
      label={`Assignee of ${title}`}
      value={assigneeId ?? ''}
      options={[{ value: '', label: 'Unassigned' }, ...members.map((member) => ({ value: member.id, label: member.name }))]}
    />
  );
}
