'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';

import { useSwitchWorkspace } from './use-switch-workspace';

/**
 * A link to a project or task of another of the user's workspaces (src/server/tenant-data.ts, findInOtherWorkspace):
 * says where it is and offers the switch, after which the same address shows it. Only ever rendered for a workspace
 * the user is a member of; for any other, the page is a plain 404.
 */
export function OtherWorkspace({ what, workspace, current }: { what: 'project' | 'task'; workspace: { id: string; name: string }; current: string }) {
  const router = useRouter();
  const { switchTo, switching, error } = useSwitchWorkspace();
  return (
    <div className="page">
      <div className="panel">
        <div className="empty">
          <span className="empty-icon" aria-hidden="true">
            ⇄
          </span>
          <h1 className="empty-title">
            This {what} is in {workspace.name}
          </h1>
          <p>
            You are working in {current}. The {what} belongs to {workspace.name}, another of your workspaces: switch to it to open the {what}.
          </p>
          <div className="form-actions" style={{ marginTop: '0.75rem' }}>
            <button
              type="button"
              className="btn btn-primary"
              disabled={switching}
              aria-busy={switching}
              onClick={() => switchTo(workspace.id, () => router.refresh())}
            >
              {switching && <span className="spinner" aria-hidden="true" />}
              Switch to {workspace.name}
            </button>
            <Link className="btn" href="/projects">
              Stay in {current}
            </Link>
          </div>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
        </div>
      </div>
    </div>
  );
}
