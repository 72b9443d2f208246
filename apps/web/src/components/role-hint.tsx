import type { ReactNode } from 'react';

/** Shown where a button is absent because of the user's role: says why, instead of leaving a gap. */
export function RoleHint({ children }: { children: ReactNode }) {
  return (
    <p className="hint" data-testid="role-hint">
      <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.6">
        <rect x="3" y="7" width="10" height="7" rx="1.5" />
        <path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" />
      </svg>
      {children}
    </p>
  );
}
