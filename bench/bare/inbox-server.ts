// The inbox ceiling: a bare node:http server that verifies each request's HTTP Signature
// (same verifier, keys already in memory), parses the JSON and answers 202. No JSON-LD,
// no storage, no domain rules: what those cost is what the inbox ratio shows.
import http from 'node:http';
import { verifyRequest } from '../../src/federation/http-signatures.js';

const keys = new Map<string, string>(JSON.parse(process.argv[2] ?? '[]'));
let ok = 0;
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    try {
      await verifyRequest({ method: req.method!, path: req.url!, headers: req.headers, body }, async (keyId) => {
        const pem = keys.get(keyId);
        return pem ? { owner: keyId.split('#')[0]!, publicKeyPem: pem } : null;
      });
      JSON.parse(body.toString('utf8'));
      ok++;
      res.writeHead(202).end();
    } catch {
      res.writeHead(401).end();
    }
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as { port: number }).port}\n`);
});
process.on('message', (m) => {
  if (m === 'count') process.send!({ ok });
});
