import Link from 'next/link';

/**
 * A link to a project or task of another of the user's workspaces (src/server/tenant-data.ts, findInOtherWorkspace):
 * says where it is and links to the same item under that workspace's address. Only ever rendered for a workspace the
 * user is a member of; for any other, the page is a plain 404.
 */
export function OtherWorkspace({
  what,
  workspace,
  current,
}: {
  what: 'project' | 'task';
  workspace: { name: string; href: string };
  current: { name: string; href: string };
}) {
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
            You are working in {current.name}. The {what} belongs to {workspace.name}, another of your workspaces: open it there.
          </p>
          <div className="form-actions" style={{ marginTop: '0.75rem' }}>
            <Link className="btn btn-primary" href={workspace.href}>
              Open in {workspace.name}
            </Link>
            <Link className="btn" href={current.href}>
              Stay in {current.name}
            </Link>
          </div>
        </div>
      </div>
    </div>
  );
}
