import { expect } from 'chai';
import { formatNumber, formatTime } from '../../src/core/format.js';
import { isTimeZone } from '../../src/core/timezone.js';

// The formatters keep what they made (times per zone, zone checks) and skip Intl for small
// integers (issue 14: the home page's per-card cost). These check that the shortcuts read
// exactly as Intl does, at their edges, and that a kept answer is never another input's.
describe('formatters: shortcuts and kept answers read as Intl does', () => {
  it('formats small integers, their edges and everything past them as the locale does', () => {
    const intl = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
    for (const n of [0, 1, 7, 42, 999, 1000, 1001, 12_345, -1, -999, -1000, -12_345, 0.5, 2.345, 999.5, -0.25, 1e21]) {
      expect(formatNumber(n), String(n)).to.equal(intl.format(n));
    }
    expect(formatNumber(-0)).to.equal('0');
    expect(formatNumber(-0.001)).to.equal('0');
    expect(formatNumber('17')).to.equal('17');
    expect(formatNumber('1234')).to.equal('1,234');
    expect(formatNumber(null)).to.equal('0');
    expect(formatNumber(Number.NaN)).to.equal('0');
    expect(formatNumber(Number.POSITIVE_INFINITY)).to.equal('0');
  });

  it('keeps each formatted time under its own zone and instant', () => {
    const iso = '2026-12-05T18:30:00.000Z';
    expect(formatTime(iso, 'UTC')).to.equal('Sat, 5 Dec 2026, 18:30');
    expect(formatTime(iso, 'Europe/Paris')).to.equal('Sat, 5 Dec 2026, 19:30');
    expect(formatTime(iso, 'UTC')).to.equal('Sat, 5 Dec 2026, 18:30');
    expect(formatTime('2026-12-06T00:30:00.000Z', 'America/New_York')).to.equal('Sat, 5 Dec 2026, 19:30');
    expect(formatTime('not a time', 'UTC')).to.equal('');
    expect(formatTime(null, 'UTC')).to.equal('');
  });

  it('answers a repeated zone question the same way, for known and unknown zones', () => {
    for (let i = 0; i < 3; i++) {
      expect(isTimeZone('Europe/Paris')).to.equal(true);
      expect(isTimeZone('Asia/Calcutta')).to.equal(true);
      expect(isTimeZone('Mars/Olympus')).to.equal(false);
      expect(isTimeZone('')).to.equal(false);
      expect(isTimeZone('x'.repeat(65))).to.equal(false);
    }
  });
});
