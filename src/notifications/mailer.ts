import nodemailer from 'nodemailer';
import type { Config } from '../config.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends one plain-text e-mail. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/** SMTP from [email], or null when no smtp_host is set (e-mail off). */
export function smtpMailer(email: Config['email'], communityName: string): Mailer | null {
  if (!email.smtp_host) return null;
  const transport = nodemailer.createTransport({
    host: email.smtp_host,
    port: email.smtp_port,
    secure: email.smtp_secure,
    auth: email.smtp_user ? { user: email.smtp_user, pass: email.smtp_password } : undefined,
    // Bounded, so a dead mail server never holds the digest run for long.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  const from = email.from || `${communityName.replace(/[\r\n<>"]/g, '')} <no-reply@${email.smtp_host}>`;
  return {
    async send(mail) {
      // Header fields never carry line breaks from data (header injection).
      await transport.sendMail({ from, to: mail.to, subject: mail.subject.replace(/[\r\n]+/g, ' '), text: mail.text });
    },
  };
}
