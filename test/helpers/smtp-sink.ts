import { type Server, type Socket, createServer } from 'node:net';
import { withoutIsolates } from './isolates.js';

export interface SunkMail {
  from: string;
  to: string[];
  data: string;
}

/**
 * A local SMTP server that accepts everything and keeps it: enough of RFC 5321 for a
 * client that sends one message per connection (EHLO, MAIL, RCPT, DATA, QUIT).
 */
export class SmtpSink {
  readonly mails: SunkMail[] = [];
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<SmtpSink> {
    let sink: SmtpSink | undefined;
    const server = createServer((socket) => sink!.session(socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    sink = new SmtpSink(server, (server.address() as { port: number }).port);
    return sink;
  }

  private session(socket: Socket): void {
    let buffer = '';
    let mail: SunkMail = { from: '', to: [], data: '' };
    let inData = false;
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 sink ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mail.data = buffer.slice(0, end).replace(/\r\n\.\./g, '\r\n.');
          buffer = buffer.slice(end + 5);
          inData = false;
          this.mails.push(mail);
          mail = { from: '', to: [], data: '' };
          reply('250 queued');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') reply('250 sink');
        else if (verb === 'MAIL') (mail.from = line.slice(10).trim()), reply('250 ok');
        else if (verb === 'RCPT') mail.to.push(line.slice(8).trim()), reply('250 ok');
        else if (verb === 'DATA') (inData = true), reply('354 go on');
        else if (verb === 'QUIT') reply('221 bye'), socket.end();
        else reply('250 ok');
      }
    });
    socket.on('error', () => undefined);
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

const qp = (s: string): string => Buffer.from(s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');

/** The subject and the plain-text body of a sunk mail, decoded (MIME words, quoted-printable). */
export function readMail(mail: SunkMail): { subject: string; body: string } {
  const [head = '', ...rest] = mail.data.split(/\r?\n\r?\n/);
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const rawSubject = /^Subject: (.*)$/im.exec(unfolded)?.[1] ?? '';
  const subject = rawSubject.replace(/=\?UTF-8\?Q\?(.*?)\?=\s*/gi, (_m, w: string) => qp(w.replace(/_/g, ' ')));
  const body = rest.join('\n\n');
  // Read as a person reads it: the directional isolates around user text are invisible.
  return { subject, body: withoutIsolates(/quoted-printable/i.test(head) ? qp(body) : body) };
}
