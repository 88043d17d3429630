import { expect } from 'chai';
import request from 'supertest';
import { type TestHearth, makeHearth } from '../helpers/hearth.js';

describe('Strict-Transport-Security', () => {
  const paths: [string, Record<string, string>][] = [
    ['/', {}],
    ['/healthz', {}],
    ['/login', {}],
    ['/@community', { accept: 'application/activity+json' }],
    ['/.well-known/nodeinfo', {}],
    ['/no-such-page', {}],
  ];
  const headersOf = async (h: TestHearth) => Promise.all(paths.map(async ([p, headers]) => (await request(h.app).get(p).set(headers)).headers['strict-transport-security']));

  const cases: [string, Record<string, unknown>, string | undefined][] = [
    ['is sent on every response under an https url, for a year by default', { url: 'https://community.example' }, 'max-age=31536000'],
    ['takes its max-age from server.hsts_max_age', { url: 'https://community.example', hsts_max_age: 600 }, 'max-age=600'],
    ['is not sent when server.hsts_max_age is 0', { url: 'https://community.example', hsts_max_age: 0 }, undefined],
    ['is not sent under an http url', { url: 'http://localhost:8080' }, undefined],
  ];
  for (const [name, server, expected] of cases) {
    it(name, async () => {
      const h = await makeHearth({ server, community: { handle: 'community' } });
      try {
        expect(await headersOf(h)).to.deep.equal(paths.map(() => expected));
      } finally {
        await h.destroy();
      }
    });
  }
});
