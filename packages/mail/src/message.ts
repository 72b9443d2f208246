/** One mail the app sends: plain text always (every client shows it), HTML optionally. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** A mail as the development inbox and the test mailbox keep it. */
export interface StoredMail {
  id: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  /** ISO time it was sent (inbox) or received (test server). */
  date: string;
}
