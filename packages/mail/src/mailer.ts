import nodemailer from 'nodemailer';
import { saveToInbox } from './inbox';
import type { MailMessage } from './message';

/** Where mail goes: an SMTP server (production, tests), or the development inbox folder (`npm run dev`). */
export type MailTransport = { kind: 'smtp'; url: string } | { kind: 'inbox'; dir: string };

export interface MailerConfig {
  transport: MailTransport;
  /** The From header, e.g. `Tenancy Starter <no-reply@example.com>`. */
  from: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** Sends through nodemailer either way, so the inbox shows the same message SMTP would carry. */
export function createMailer(config: MailerConfig): Mailer {
  if (config.transport.kind === 'smtp') {
    const transporter = nodemailer.createTransport(config.transport.url);
    return {
      async send(message) {
        await transporter.sendMail({ from: config.from, ...message });
      },
      close: () => transporter.close(),
    };
  }
  const dir = config.transport.dir;
  const transporter = nodemailer.createTransport({ jsonTransport: true });
  return {
    async send(message) {
      const info = await transporter.sendMail({ from: config.from, ...message });
      const built = JSON.parse(String(info.message)) as { subject: string; text: string };
      await saveToInbox(dir, { from: config.from, to: message.to, subject: built.subject, text: built.text, date: new Date().toISOString() });
    },
    close: () => transporter.close(),
  };
}
