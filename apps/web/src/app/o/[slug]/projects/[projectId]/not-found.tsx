'use client';

import Link from 'next/link';

import { useOrgSlug } from '@/components/use-org-action';
import { orgPath } from '@/lib/org-path';

/** An unknown project id, or another tenant's: the same answer for both, so nothing leaks. */
export default function ProjectNotFound() {
  const slug = useOrgSlug();
  return (
    <div className="page">
      <div className="panel">
        <div className="empty">
          <span className="empty-icon" aria-hidden="true">
            ?
          </span>
          <h3>Project not found</h3>
          <p>This project does not exist in your current workspace. It may have been deleted, or it belongs to another workspace.</p>
          <Link className="btn" href={orgPath(slug, '/projects')} style={{ marginTop: '0.75rem' }}>
            Back to projects
          </Link>
        </div>
      </div>
    </div>
  );
}
