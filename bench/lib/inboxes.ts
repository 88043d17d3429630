import { type ChildProcess, fork } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { signRequest } from '../../src/federation/http-signatures.js';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Inboxes {
  child: ChildProcess;
  urls: string[];
  received(): Promise<number>;
}

/** `count` loopback inboxes in a separate process (inboxes.mjs), so receiving costs the sender nothing. */
export function startInboxes(count: number): Promise<Inboxes> {
  const child = fork(path.join(benchDir, 'inboxes.mjs'), [String(count)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolve) => {
    child.stdout!.once('data', (d: Buffer) => {
      const ports = JSON.parse(d.toString().split('\n')[0]!) as number[];
      const received = () =>
        new Promise<number>((r) => {
          child.once('message', (m: { received: number }) => r(m.received));
          child.send('count');
        });
      resolve({ child, urls: ports.map((p) => `http://127.0.0.1:${p}/inbox`), received });
    });
  });
}

/** The delivery ceiling: sign and POST each delivery with plain http.request, `concurrency` at a time. */
export async function bareSignAndPost(urls: string[], body: string, actor: string, privateKeyPem: string, concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true });
  const started = process.hrtime.bigint();
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < urls.length) {
      const url = urls[next++]!;
      const headers = signRequest({ method: 'POST', url, body, keyId: `${actor}#main-key`, privateKeyPem, headers: { 'content-type': 'application/activity+json' } });
      await new Promise<void>((resolve, reject) => {
        const req = http.request(url, { method: 'POST', headers, agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end(body);
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, one));
  agent.destroy();
  return urls.length / (Number(process.hrtime.bigint() - started) / 1e9);
}
