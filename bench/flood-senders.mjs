// Flood senders for inbox-flood.bench.ts, in their own process so their CPU is not the
// load generator's: `count` loops POSTing an unsigned body of `kb` KB of nested brackets
// ([[[…]]]) to a loopback inbox, one request at a time each, until told to stop (or 120 s
// pass). Answers the parent's 'stop' with { answers, statuses, errors }.
import http from 'node:http';

const [url, count = '4', kb = '1024'] = process.argv.slice(2);
const target = new URL(url);
if (target.hostname !== '127.0.0.1') throw new Error('flood senders only send to 127.0.0.1');
const half = (Number(kb) * 1024) / 2;
const body = Buffer.from('['.repeat(half) + ']'.repeat(half));
const statuses = {};
let answers = 0;
let errors = 0;
let running = true;
setTimeout(() => (running = false), 120_000).unref();

function once() {
  return new Promise((resolve) => {
    const req = http.request(target, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/activity+json', 'content-length': body.length },
    });
    let done = false;
    const finish = (status) => {
      if (done) return;
      done = true;
      if (status) {
        answers++;
        statuses[status] = (statuses[status] ?? 0) + 1;
      } else errors++;
      resolve();
    };
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => finish(res.statusCode));
      res.on('error', () => finish(res.statusCode));
    });
    // A server that answers before the body is sent may close while we still write.
    req.on('error', () => setImmediate(() => finish(0)));
    req.end(body);
  });
}

async function sender() {
  while (running) await once();
}

const all = Promise.all(Array.from({ length: Number(count) }, sender));
process.on('message', async (m) => {
  if (m !== 'stop') return;
  running = false;
  await all;
  process.send({ answers, statuses, errors }, () => process.exit(0));
});
process.send('started');
