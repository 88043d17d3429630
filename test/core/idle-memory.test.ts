import { expect } from 'chai';
import { collectOnceQuiet } from '../../src/core/idle-memory.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Issue 14: the server hands back the young generation start-up grew, with two collections
// once it is quiet, and never collects while requests keep coming.
describe('collectOnceQuiet: two collections once the server is quiet, none under traffic', () => {
  it('collects twice after start-up once no request comes, then stops', async () => {
    let collections = 0;
    collectOnceQuiet(() => 0, { checkMs: 10, gc: () => collections++ });
    await wait(30);
    expect(collections).to.be.at.most(1);
    await wait(150);
    expect(collections).to.equal(2);
  });

  it('does not collect while requests keep coming, and collects once they stop', async () => {
    let requests = 0;
    let collections = 0;
    const traffic = setInterval(() => requests++, 3);
    collectOnceQuiet(() => requests, { checkMs: 15, gc: () => collections++ });
    await wait(150);
    expect(collections).to.equal(0);
    clearInterval(traffic);
    await wait(200);
    expect(collections).to.equal(2);
  });

  it('gives up after its time, and stop() ends it', async () => {
    let a = 0;
    let requests = 0;
    const traffic = setInterval(() => requests++, 3);
    collectOnceQuiet(() => requests, { checkMs: 10, giveUpMs: 40, gc: () => a++ });
    await wait(80);
    clearInterval(traffic);
    await wait(100);
    expect(a).to.equal(0);
    let b = 0;
    collectOnceQuiet(() => 0, { checkMs: 10, gc: () => b++ }).stop();
    await wait(80);
    expect(b).to.equal(0);
  });

  it('reaches V8 gc() without --expose-gc on the command line', () => {
    // The default collector: started and stopped at once, so it only shows it could be made.
    expect(() => collectOnceQuiet(() => 0).stop()).to.not.throw();
  });
});
