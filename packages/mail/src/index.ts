export { createMailer, type Mailer, type MailerConfig, type MailTransport } from './mailer';
export type { MailMessage, StoredMail } from './message';
