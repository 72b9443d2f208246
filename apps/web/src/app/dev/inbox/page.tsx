import { readInbox } from '@repo/mail/inbox';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';

import { env } from '@/env';
import { devInboxDir } from '@/server/mail';

export const metadata: Metadata = { title: 'Development inbox' };
export const dynamic = 'force-dynamic';

// Development only: the mail `npm run dev` would have sent (MAIL_INBOX_DIR). Anywhere else this page does not exist.
export default async function DevInboxPage() {
  const dir = devInboxDir();
  if (env.NODE_ENV === 'production' || dir === null) notFound();
  const mails = await readInbox(dir);
  return (
    <main className="shell" style={{ alignItems: 'start' }}>
      <section className="card" style={{ maxWidth: '48rem', width: '100%' }} aria-labelledby="inbox-title">
        <h1 id="inbox-title">Development inbox</h1>
        <p className="lead">Mail the app sent while running with `npm run dev`, newest first. Production sends it over SMTP.</p>
        {mails.length === 0 && <p className="muted">No mail yet.</p>}
        {mails.map((mail) => (
          <article key={mail.id} style={{ borderTop: '1px solid var(--border, #ddd)', paddingTop: '0.75rem', marginTop: '0.75rem' }}>
            <h2 style={{ fontSize: '1rem', margin: 0 }}>{mail.subject}</h2>
            <p className="muted" style={{ margin: '0.25rem 0' }}>
              To {mail.to} · {new Date(mail.date).toLocaleString('en-GB')}
            </p>
            <pre style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
              {mail.text.split(/(https?:\/\/\S+)/).map((part, i) =>
                /^https?:\/\//.test(part) ? (
                  <a key={i} href={part}>
                    {part}
                  </a>
                ) : (
                  part
                ),
              )}
            </pre>
          </article>
        ))}
      </section>
    </main>
  );
}
