import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestHearth, makeHearth } from '../../helpers/hearth.js';

export interface ServedHearth {
  hearth: TestHearth;
  url: string;
  host: string;
  close(): Promise<void>;
}

type Overrides = { [section: string]: Record<string, unknown> };

/** Resolves `localhost` only. */
export const loopbackNames = async (host: string) => (host === 'localhost' ? [{ address: '127.0.0.1', family: 4 }] : []);

/**
 * A Hearth listening on 127.0.0.1 with its real URL, federating with loopback peers
 * through the one explicit switch (federation.allow_private_addresses). The port is
 * taken first so the configured URL (and so every actor id) is right from the start.
 */
export async function serveHearth(overrides: Overrides = {}): Promise<ServedHearth> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const hearth = await makeHearth(
    {
      ...overrides,
      server: { url, port, ...(overrides.server ?? {}) },
      federation: { allow_private_addresses: true, ...(overrides.federation ?? {}) },
    },
    // Peers are addressed by IP; no other name resolves, so a fetch of a real host (a JSON-LD
    // context server, say) fails at once without a DNS query leaving the machine.
    { federation: { resolve: loopbackNames } },
  );
  server.on('request', hearth.app);
  // Deliveries go out quickly in tests; retries come back within the test's time.
  hearth.federation!.worker.start();
  return {
    hearth,
    url,
    host: `127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await hearth.destroy();
    },
  };
}

/** Waits for outbound work: activities built from events, then the queue drained. */
export async function settle(h: ServedHearth, ms = 5000): Promise<void> {
  const fed = h.hearth.federation!;
  await fed.publisher.idle();
  await fed.eventPublisher.idle();
  await fed.contentPublisher.idle();
  const until = Date.now() + ms;
  fed.worker.wake();
  while (Date.now() < until) {
    const left = await h.hearth.database.db.selectFrom('ap_delivery_queue').select((eb) => eb.fn.countAll<number>().as('n')).where('failed_ms', 'is', null).executeTakeFirstOrThrow();
    if (Number(left.n) === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
