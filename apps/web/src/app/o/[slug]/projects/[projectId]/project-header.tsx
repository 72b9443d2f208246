'use client';

import { useState, type ReactNode } from 'react';

import { ConfirmForm } from '@/components/confirm-form';

import { deleteProjectAction } from '../actions';
import { EditProjectForm } from '../project-form';

type Project = { id: string; name: string; description: string | null };

/** The project's title block (server-rendered, passed as children), its Edit / Delete buttons and the edit form. */
export function ProjectHeader({ project, canEdit, children }: { project: Project; canEdit: boolean; children: ReactNode }) {
  const [editing, setEditing] = useState(false);
  return (
    <>
      <div className="page-header">
        <div>{children}</div>
        {canEdit && (
          <div className="row-actions">
            <button type="button" className="btn" onClick={() => setEditing((value) => !value)} aria-expanded={editing}>
              Edit
            </button>
            <ConfirmForm
              action={deleteProjectAction}
              fields={{ projectId: project.id }}
              confirm={`Delete “${project.name}” and all its tasks? This cannot be undone.`}
              pendingLabel="Deleting…"
            >
              Delete
            </ConfirmForm>
          </div>
        )}
      </div>
      {editing && (
        <div className="panel panel-body" style={{ marginBottom: '1.5rem' }}>
          <EditProjectForm project={project} onDone={() => setEditing(false)} />
        </div>
      )}
    </>
  );
}
