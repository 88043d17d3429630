import type { Transporter } from 'nodemailer';
import type { Config } from '../config.js';
import type { Mailer } from '../notifications/mailer.js';

/**
 * The Mailer on SMTP (nodemailer) from [email], or null when no smtp_host is set (e-mail
 * off). `send` rejects with nodemailer's error when the server refuses or cannot be reached
 * (timeouts: 10 s to connect and greet, 20 s idle). nodemailer (some 40
 * modules, ~5 MB of a server's resident memory) is loaded on the first e-mail sent, not at
 * start: most communities send none, or a digest a day.
 */
export function smtpMailer(email: Config['email'], communityName: string): Mailer | null {
  if (!email.smtp_host) return null;
  let transport: Promise<Transporter> | undefined;
  const connect = async (): Promise<Transporter> => (await import('nodemailer')).default.createTransport({
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
      // A failed load or setup is not kept: the next e-mail tries again.
      transport ??= connect().catch((err: unknown) => {
        transport = undefined;
        throw err;
      });
      // Header fields never carry line breaks from data (header injection).
      await (await transport).sendMail({ from, to: mail.to, subject: mail.subject.replace(/[\r\n]+/g, ' '), text: mail.text });
    },
  };
}
