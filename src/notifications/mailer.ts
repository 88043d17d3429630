/** One plain-text e-mail: the recipient's address, a one-line subject, the body. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Sends one plain-text e-mail; rejects when it could not be handed to the mail server.
 * The domain's port: the SMTP adapter is src/mail/smtp-mailer.ts.
 */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}
