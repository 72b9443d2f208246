'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';

import { ARCHIVE_UPLOAD_MAX_BYTES } from '@/lib/archive-limits';
import { formatBytes } from '@/lib/format';
import { useHydrated } from '@/lib/use-hydrated';

/**
 * Sends the chosen archive as the request body (no multipart form: the server streams it to a file as it arrives),
 * then opens the restore form for it. The server checks the whole archive first: a damaged one is refused here.
 */
export function ArchiveUpload() {
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const ready = useHydrated();
  const router = useRouter();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!file) return setError('Choose a tenant archive (.tar.gz) first.');
    if (file.size > ARCHIVE_UPLOAD_MAX_BYTES) {
      return setError(
        `${file.name} is ${formatBytes(file.size)}: the console accepts uploads up to ${formatBytes(ARCHIVE_UPLOAD_MAX_BYTES)}. Put it in ARCHIVE_DIR on the server and restore it from the list below instead.`,
      );
    }
    setError(null);
    setPending(true);
    try {
      const response = await fetch('/api/archives', { method: 'POST', headers: { 'Content-Type': 'application/gzip' }, body: file });
      const body = (await response.json().catch(() => ({}))) as { upload?: string; error?: string };
      if (response.status === 401) window.location.assign('/sign-in?callbackUrl=/tenants/restore');
      if (!response.ok || !body.upload) {
        setError(body.error ?? `The server answered ${response.status}.`);
        return;
      }
      router.push(`/tenants/restore?upload=${encodeURIComponent(body.upload)}`);
    } catch {
      setError('The upload did not reach the server: try again.');
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="form" onSubmit={onSubmit} data-ready={ready || undefined} aria-busy={pending}>
      <div className={error ? 'field invalid' : 'field'}>
        <label htmlFor="archive">Archive</label>
        <input
          id="archive"
          name="archive"
          type="file"
          accept=".tar.gz,.tgz,application/gzip"
          aria-describedby="archive-help"
          onChange={(e) => (setFile(e.target.files?.[0] ?? null), setError(null))}
          disabled={pending}
        />
        {error ? (
          <span className="field-error" id="archive-help" role="alert" data-testid="upload-error">
            {error}
          </span>
        ) : (
          <span className="field-hint" id="archive-help">
            A .tar.gz written by Download export or by a delete, up to {formatBytes(ARCHIVE_UPLOAD_MAX_BYTES)}. It is checked whole before anything is restored.
          </span>
        )}
      </div>
      <div className="form-actions">
        <button className="button button-primary" type="submit" disabled={pending || !file}>
          {pending ? 'Uploading and checking…' : 'Upload and check'}
        </button>
      </div>
    </form>
  );
}
