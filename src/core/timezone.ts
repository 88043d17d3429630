/** IANA time zones, without a library: Intl knows them and their offsets. */

const checkedZones = new Map<string, boolean>();

/**
 * Whether `tz` is an IANA zone this runtime knows. Asked on every member's page (their zone
 * from the database), so answers are kept: building an Intl.DateTimeFormat to find out costs
 * tens of microseconds. Bounded (1,000), as the question can come from any text.
 */
export function isTimeZone(tz: string): boolean {
  if (!tz || tz.length > 64) return false;
  let known = checkedZones.get(tz);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      known = true;
    } catch {
      known = false;
    }
    if (checkedZones.size >= 1000) checkedZones.clear();
    checkedZones.set(tz, known);
  }
  return known;
}

const partsFormat = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC, in minutes, at an instant. */
function offsetMinutes(ms: number, tz: string): number {
  let f = partsFormat.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    partsFormat.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/**
 * "2026-12-05T19:30" on the wall clock in `tz` → the UTC instant (ISO). Two passes settle
 * the offset around daylight-saving changes; a wall time skipped by a change moves forward.
 */
export function zonedToUtc(local: string, tz: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m || !isTimeZone(tz)) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  if (Number.isNaN(wall)) return null;
  let ms = wall - offsetMinutes(wall, tz) * 60_000;
  ms = wall - offsetMinutes(ms, tz) * 60_000;
  return new Date(ms).toISOString();
}

/** The UTC instant as a wall time in `tz`, "YYYY-MM-DDTHH:MM" (for form fields). */
export function utcToZoned(iso: string, tz: string): string {
  const ms = Date.parse(iso);
  return new Date(ms + offsetMinutes(ms, tz) * 60_000).toISOString().slice(0, 16);
}

/** Every zone a form offers: UTC first, then the IANA names this runtime knows. */
export const TIME_ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone')];
