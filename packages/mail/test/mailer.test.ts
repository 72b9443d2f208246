import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInbox } from '../src/inbox';
import { createMailer } from '../src/mailer';
import { linkIn, startTestSmtpServer, type TestSmtpServer } from '../src/test-server';

let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startTestSmtpServer();
});
afterAll(async () => {
  await smtp.close();
});

describe('createMailer', () => {
  it('sends over SMTP to a real server, which receives the text with its link intact', async () => {
    const mailer = createMailer({ transport: { kind: 'smtp', url: smtp.url }, from: 'Starter <no-reply@example.test>' });
    const link = `http://localhost:3000/verify-email?token=${'a'.repeat(64)}`;
    await mailer.send({ to: 'Ada@Example.test', subject: 'Confirm your email', text: `Hello,\n\nconfirm here:\n${link}\n` });
    mailer.close();
    const mail = await smtp.waitForMail('ada@example.test', /Confirm/);
    expect(mail.from).toBe('no-reply@example.test');
    expect(linkIn(mail, 'http://localhost:3000/')).toBe(link);
  });

  it('writes to the development inbox folder when configured so, newest first', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'inbox-')), 'inbox');
    expect(await readInbox(dir)).toEqual([]);
    const mailer = createMailer({ transport: { kind: 'inbox', dir }, from: 'no-reply@example.test' });
    await mailer.send({ to: 'a@example.test', subject: 'first', text: 'one' });
    await mailer.send({ to: 'b@example.test', subject: 'second', text: 'two' });
    const inbox = await readInbox(dir);
    expect(inbox.map((m) => [m.to, m.subject, m.text.trim()])).toEqual([
      ['b@example.test', 'second', 'two'],
      ['a@example.test', 'first', 'one'],
    ]);
    expect(smtp.mails.some((m) => m.subject === 'first')).toBe(false);
  });
});
