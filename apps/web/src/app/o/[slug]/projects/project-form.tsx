'use client';

import { useState } from 'react';

import { FieldError, FormMessage } from '@/components/form-message';
import { SubmitButton } from '@/components/submit-button';
import { fieldError, submitted, type ActionState } from '@repo/ui';
import { useOrgAction } from '@/components/use-org-action';
import { useFormAction } from '@repo/ui/use-form-action';

import { createProjectAction, updateProjectAction } from './actions';

type Project = { id: string; name: string; description: string | null };

function ProjectFields({ state, project }: { state: ActionState; project?: Project }) {
  const nameError = fieldError(state, 'name');
  const descriptionError = fieldError(state, 'description');
  return (
    <>
      <div className="field">
        <label className="label" htmlFor="project-name">
          Name
        </label>
        <input
          className="input"
          id="project-name"
          name="name"
          defaultValue={submitted(state, 'name') ?? project?.name ?? ''}
          maxLength={200}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? 'project-name-error' : undefined}
          autoFocus
        />
        <FieldError id="project-name-error" message={nameError} />
      </div>
      <div className="field">
        <label className="label" htmlFor="project-description">
          Description <span className="optional">(optional)</span>
        </label>
        <textarea
          className="textarea"
          id="project-description"
          name="description"
          defaultValue={submitted(state, 'description') ?? project?.description ?? ''}
          aria-invalid={descriptionError ? true : undefined}
          aria-describedby={descriptionError ? 'project-description-error' : undefined}
        />
        <FieldError id="project-description-error" message={descriptionError} />
      </div>
    </>
  );
}

/** "New project": a button that opens the form in place. */
export function NewProjectForm() {
  const [open, setOpen] = useState(false);
  const [state, action] = useFormAction(useOrgAction(createProjectAction));
  if (!open) {
    return (
      <button type="button" className="btn btn-primary" onClick={() => setOpen(true)}>
        + New project
      </button>
    );
  }
  return (
    <div className="panel panel-body" style={{ width: '100%' }}>
      <form action={action} className="form" noValidate aria-label="Create a project">
        <FormMessage state={state} />
        <ProjectFields state={state} />
        <div className="form-actions">
          <button type="button" className="btn btn-ghost" onClick={() => setOpen(false)}>
            Cancel
          </button>
          <SubmitButton pendingLabel="Creating…">Create project</SubmitButton>
        </div>
      </form>
    </div>
  );
}

export function EditProjectForm({ project, onDone }: { project: Project; onDone?: () => void }) {
  const [state, action] = useFormAction(useOrgAction(updateProjectAction));
  return (
    <form action={action} className="form" noValidate aria-label="Edit project">
      <FormMessage state={state} />
      <input type="hidden" name="projectId" value={project.id} />
      <ProjectFields state={state} project={project} />
      <div className="form-actions">
        {onDone && (
          <button type="button" className="btn btn-ghost" onClick={onDone}>
            Close
          </button>
        )}
        <SubmitButton pendingLabel="Saving…">Save changes</SubmitButton>
      </div>
    </form>
  );
}
