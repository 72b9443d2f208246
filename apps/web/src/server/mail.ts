import 'server-only';

import { createMailer, type Mailer } from '@repo/mail';

import { serverEnv } from '@/env';

// The process's mailer: SMTP_URL in production (and in the tests, a real SMTP server they start), the development
// inbox folder (MAIL_INBOX_DIR, shown at /dev/inbox) under `npm run dev`.

const holder = globalThis as typeof globalThis & { __webMailer?: Mailer };

export function mailer(): Mailer {
  if (!holder.__webMailer) {
    const env = serverEnv();
    holder.__webMailer = createMailer({
      transport: env.SMTP_URL ? { kind: 'smtp', url: env.SMTP_URL } : { kind: 'inbox', dir: env.MAIL_INBOX_DIR! },
      from: env.MAIL_FROM,
    });
  }
  return holder.__webMailer;
}

/** The development inbox's folder, or null where there is none (production, or mail sent over SMTP). */
export function devInboxDir(): string | null {
  const env = serverEnv();
  return env.SMTP_URL === undefined && env.MAIL_INBOX_DIR !== undefined ? env.MAIL_INBOX_DIR : null;
}
