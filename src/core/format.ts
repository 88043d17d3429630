/**
 * How times and numbers read to a person: one style everywhere (pages, e-mail), so the same
 * instant or amount never appears in two shapes. Machine formats (datetime attributes, feeds,
 * .ics, JSON) keep ISO-8601 UTC and do not come through here.
 */

/** The locale pages are written in; one place, so a translated community changes it once. */
export const LOCALE = 'en';

const timeFormats = new Map<string, Intl.DateTimeFormat>();
/** Formatted times per zone, then per instant: a page repeats the same recent timestamps. */
const formattedTimes = new Map<string, Map<string, string>>();
let formattedCount = 0;

function timeFormat(tz: string): Intl.DateTimeFormat {
  let f = timeFormats.get(tz);
  if (!f) {
    // en-GB's day-month order reads the same to everyone the 'en' pages are for ("5 Dec 2026").
    f = new Intl.DateTimeFormat(`${LOCALE}-GB`, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: tz });
    timeFormats.set(tz, f);
  }
  return f;
}

/**
 * An ISO-8601 instant on the wall clock of the IANA zone `tz`: "Sat, 5 Dec 2026, 19:30".
 * Empty or unparseable input gives ''. Intl formatting costs more than the rest of a post
 * card and a page repeats the same recent timestamps, so results are kept (bounded, 5,000).
 * Throws RangeError for an unknown zone (callers pass zones checked with isTimeZone).
 */
export function formatTime(iso: string | null | undefined, tz: string): string {
  if (!iso) return '';
  let zone = formattedTimes.get(tz);
  let text = zone?.get(iso);
  if (text === undefined) {
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) return '';
    text = timeFormat(tz).format(ms);
    if (formattedCount >= 5000) {
      formattedTimes.clear();
      formattedCount = 0;
      zone = undefined;
    }
    if (!zone) formattedTimes.set(tz, (zone = new Map()));
    zone.set(iso, text);
    formattedCount++;
  }
  return text;
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The weekday and time of an instant on another zone's clock, "Sat 19:30": said beside a
 * time already shown in the reader's zone (an event's own clock), so it needs no date.
 * Throws RangeError for an unknown zone.
 */
export function formatWallClock(iso: string, tz: string): string {
  let f = clockFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat(`${LOCALE}-GB`, { weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: tz });
    clockFormats.set(tz, f);
  }
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '' : f.format(ms);
}

// Made on first use: an Intl formatter pulls several MB of ICU data into the process.
let numberFormat: Intl.NumberFormat | undefined;
/** Whether the locale writes small integers as String() does (no grouping below 1,000, ASCII digits). */
let plainSmallIntegers: boolean | undefined;

/**
 * A count or amount with the locale's grouping ("12,345"), at most two decimals. Negative
 * zero (e.g. a sum of no rows negated) reads "0"; anything not a finite number reads "0".
 * Most numbers on a page are small counts (reactions, replies): those skip Intl, which
 * costs a post card more than the rest of its numbers together, when the locale writes
 * them the same way.
 */
export function formatNumber(n: number | string | null | undefined): string {
  const value = Number(n);
  if (!Number.isFinite(value)) return '0';
  numberFormat ??= new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2 });
  plainSmallIntegers ??= numberFormat.format(-999) === '-999' && numberFormat.format(7) === '7';
  // String(-0) is "0", as wanted.
  if (plainSmallIntegers && Number.isInteger(value) && value > -1000 && value < 1000) return String(value);
  const text = numberFormat.format(value);
  // Rounding can also produce "-0" from, say, -0.001.
  return text === '-0' ? '0' : text;
}

/**
 * User text placed inside a plain-text sentence (a notification, a log line, an e-mail),
 * isolated with Unicode's FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE (U+2068, U+2069;
 * UAX #9), so an Arabic title cannot swap places with the words or numbers around it. The
 * plain-text twin of the pages' `<bdi>`; '' stays ''.
 */
export function isolateText(text: string | null | undefined): string {
  return text ? `\u2068${text}\u2069` : '';
}
