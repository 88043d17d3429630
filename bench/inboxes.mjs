// 1,000 loopback inboxes in one process (a receiving side apart from the sender's CPU):
// each answers 202 and counts. Prints the ports as JSON on its first line of stdout.
import http from 'node:http';

const count = Number(process.argv[2] ?? 1000);
let received = 0;
const servers = [];
for (let i = 0; i < count; i++) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(202).end();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
}
process.stdout.write(JSON.stringify(servers.map((s) => s.address().port)) + '\n');
process.on('message', (m) => {
  if (m === 'count') process.send({ received });
});
