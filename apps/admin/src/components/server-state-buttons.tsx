'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';

import { useHydrated } from '@/lib/use-hydrated';

type State = 'open' | 'drained' | 'read_only';

const ACTIONS: { state: State; label: string; title: string }[] = [
  { state: 'drained', label: 'Drain', title: 'Keep serving its tenants; place no new tenant here' },
  { state: 'read_only', label: 'Read-only', title: 'Its tenants’ transactions become read-only (maintenance)' },
  { state: 'open', label: 'Open', title: 'Take new tenants again' },
];

/** The state actions of one server row: posts to /api/servers/state, then reads the page again. */
export function ServerStateButtons({ name, state, primary }: { name: string; state: State; primary: boolean }) {
  const [error, setError] = useState<string | undefined>();
  const [pending, setPending] = useState(false);
  const ready = useHydrated();
  const router = useRouter();

  async function change(next: State) {
    setPending(true);
    setError(undefined);
    try {
      const response = await fetch('/api/servers/state', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name, state: next }),
      });
      if (response.status === 401) window.location.assign('/sign-in?callbackUrl=/servers');
      if (!response.ok) {
        const answer = (await response.json().catch(() => ({}))) as { error?: string };
        setError(answer.error ?? `The server answered ${response.status}.`);
        return;
      }
      router.refresh();
    } catch {
      setError('The request did not reach the server: try again.');
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="server-actions" data-ready={ready || undefined}>
      {ACTIONS.map((action) => {
        // The primary holds the catalog: every request needs it, so it is never read-only (the library refuses it too).
        const refused = primary && action.state === 'read_only';
        return (
          <button
            key={action.state}
            type="button"
            className="button button-small"
            disabled={pending || state === action.state || refused}
            title={refused ? 'The primary holds the catalog and the shared tables: it can be drained, not made read-only' : action.title}
            aria-label={`${action.label} ${name}`}
            onClick={() => void change(action.state)}
          >
            {action.label}
          </button>
        );
      })}
      {error && (
        <p className="alert alert-error small" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
