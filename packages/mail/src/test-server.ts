import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { StoredMail } from './message';

// A real SMTP server for tests (the maintained smtp-server package): the app sends to it over SMTP exactly as it would
// to a production relay, and tests read what arrived. With `dir`, each mail is also written there as JSON, so a test in
// another process (Playwright's workers) can read the mailbox of the server its runner started.

export interface TestSmtpServer {
  url: string;
  port: number;
  mails: StoredMail[];
  /** The first mail (received so far or later) to `to` whose subject matches; fails after `timeoutMs`. */
  waitForMail(to: string, subject?: RegExp, timeoutMs?: number): Promise<StoredMail>;
  close(): Promise<void>;
}

export async function startTestSmtpServer(options: { dir?: string; port?: number } = {}): Promise<TestSmtpServer> {
  const mails: StoredMail[] = [];
  let counter = 0;
  if (options.dir) await mkdir(options.dir, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    // No TLS on the loopback test server: nodemailer would otherwise upgrade and refuse its self-signed certificate.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (parsed) => {
          for (const to of session.envelope.rcptTo) {
            const mail: StoredMail = {
              id: `${Date.now()}-${String(++counter).padStart(6, '0')}`,
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: to.address.toLowerCase(),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              date: new Date().toISOString(),
            };
            mails.push(mail);
            // Written aside, then renamed: a reader in another process never sees a half-written mail.
            if (options.dir) {
              const file = path.join(options.dir, `${mail.id}.json`);
              await writeFile(`${file}.tmp`, JSON.stringify(mail));
              await rename(`${file}.tmp`, file);
            }
          }
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    mails,
    waitForMail: (to, subject, timeoutMs) => waitFor(async () => mails, to, subject, timeoutMs),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The mails a test server with `dir` has received so far, oldest first. */
export async function readMailbox(dir: string): Promise<StoredMail[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.json')).sort();
  return Promise.all(names.map(async (name) => JSON.parse(await readFile(path.join(dir, name), 'utf8')) as StoredMail));
}

/** waitForMail for a mailbox folder: from another process than the server's. */
export function waitForMailIn(dir: string, to: string, subject?: RegExp, timeoutMs?: number): Promise<StoredMail> {
  return waitFor(() => readMailbox(dir), to, subject, timeoutMs);
}

async function waitFor(read: () => Promise<StoredMail[]>, to: string, subject: RegExp | undefined, timeoutMs = 20_000): Promise<StoredMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await read()).find((mail) => mail.to === to.toLowerCase() && (!subject || subject.test(mail.subject)));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`No mail to ${to}${subject ? ` with a subject matching ${subject}` : ''} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The first link in a mail's text that starts with `prefix` (e.g. the app's URL). */
export function linkIn(mail: StoredMail, prefix: string): string {
  const link = mail.text.split(/\s+/).find((word) => word.startsWith(prefix));
  if (!link) throw new Error(`The mail "${mail.subject}" to ${mail.to} has no link starting with ${prefix}`);
  return link;
}
