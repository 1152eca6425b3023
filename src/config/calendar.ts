/**
 * systemd calendar expressions (systemd.time(7), "Calendar Events"), as timers' OnCalendar= takes
 * them: `daily`, `Mon..Fri *-*-* 03:00`, `*-*-1/2 04:30:00 UTC`, `@1700000000`... berth.yml's
 * schedules become OnCalendar= lines, and an expression systemd rejects leaves the timer without a
 * trigger: nothing runs, and nobody is told until the disk is full. Validate has no systemd to ask
 * (it may run on a laptop), so this follows systemd's own parser (src/shared/calendarspec.c):
 * the same grammar, the same ranges, the same leniencies (`Mon,` is fine, `1..1` is not).
 * test/calendar.test.ts compares it with `systemd-analyze calendar` on generated expressions.
 *
 * One difference: a local time zone abbreviation (`CET`) depends on the host's zone, which validate
 * cannot know; only `UTC` and IANA names (`Europe/Berlin`) are accepted as a zone.
 */

const USEC = 1_000_000;
const INT_MAX = 2 ** 31 - 1;
const MIN_YEAR = 1970;
const MAX_YEAR = 2199;
/** systemd's limit on the items of one field ("1,2,3,..."). */
const MAX_ITEMS = 240;

const SPECIAL = new Set(['minutely', 'hourly', 'daily', 'monthly', 'weekly', 'yearly', 'annually', 'anually', 'quarterly', 'semiannually', 'semi-annually', 'biannually', 'bi-annually']);

/** Longer names first, as systemd tries them: "Monday" before "Mon". */
const WEEKDAYS: [string, number][] = [
  ['monday', 0], ['mon', 0], ['tuesday', 1], ['tue', 1], ['wednesday', 2], ['wed', 2], ['thursday', 3], ['thu', 3],
  ['friday', 4], ['fri', 4], ['saturday', 5], ['sat', 5], ['sunday', 6], ['sun', 6],
];

/** One item of a field: a value, a range start..stop, and a repetition step. Absent stop: -1. */
interface Item {
  start: number;
  stop: number;
  repeat: number;
}

/** A field: its items, or undefined for `*` (any value). */
type Field = Item[] | undefined;

interface Spec {
  year?: Field;
  month?: Field;
  day?: Field;
  hour?: Field;
  minute?: Field;
  usec?: Field;
  endOfMonth: boolean;
}

class Invalid extends Error {}

/** Why systemd would refuse `expression` as OnCalendar=, or undefined when it accepts it. */
export function calendarProblem(expression: string): string | undefined {
  try {
    check(expression);
    return undefined;
  } catch (e) {
    if (e instanceof Invalid) return e.message;
    throw e;
  }
}

function check(expression: string): void {
  let text = expression;
  if (/ utc$/i.test(text)) text = text.slice(0, -4);
  else {
    const space = text.lastIndexOf(' ');
    if (space >= 0 && isTimeZone(text.slice(space + 1))) text = text.slice(0, space);
  }
  if (text === '') fail('it is empty');
  if (SPECIAL.has(text.toLowerCase())) return;

  const spec: Spec = { endOfMonth: false };
  const cursor = { text, at: 0 };
  weekdays(cursor);
  const word = /^[^\d*@ ][^ ]*/.exec(text.slice(cursor.at))?.[0];
  if (word !== undefined) fail(`"${word}" is not a weekday, a date (YYYY-MM-DD), a time (HH:MM) or one of ${[...SPECIAL].filter((w) => !['anually', 'biannually', 'bi-annually', 'semi-annually'].includes(w)).join(', ')}`);
  if (!date(cursor, spec)) time(cursor, spec);
  if (cursor.at < text.length) fail(`"${text.slice(cursor.at)}" is not part of a calendar expression`);
  valid(spec);
}

interface Cursor {
  text: string;
  at: number;
}

const peek = (c: Cursor, ahead = 0) => c.text[c.at + ahead] ?? '';
const skipSpaces = (c: Cursor) => {
  while (peek(c) === ' ') c.at++;
};

function fail(why: string): never {
  throw new Invalid(why);
}

/** Mon, Mon..Fri, Sat,Sun, mon-fri (the old range form); a trailing comma is allowed, an open range not. */
function weekdays(c: Cursor): void {
  let from = -1;
  let first = true;
  for (;;) {
    const rest = c.text.slice(c.at).toLowerCase();
    const found = WEEKDAYS.find(([name]) => rest.startsWith(name));
    if (!found) {
      if (first) return;
      fail('a weekday list ends in a separator');
    }
    const [name, nr] = found;
    if (!['', '-', '.', ',', ' '].includes(rest[name.length] ?? '')) fail(`"${c.text.slice(c.at, c.at + name.length + 1)}" is not a weekday`);
    if (from > nr) fail('a weekday range runs backwards (Mon..Fri, not Fri..Mon)');
    c.at += name.length;
    if (peek(c) === '') return;
    if (peek(c) === ' ') return skipSpaces(c);
    if (peek(c) === '.') {
      if (from >= 0 || peek(c, 1) !== '.') fail('a weekday range is Mon..Fri');
      from = nr;
      c.at += 2;
    } else if (peek(c) === '-') {
      if (from >= 0) fail('a weekday range is Mon..Fri');
      from = nr;
      c.at++;
    } else if (peek(c) === ',') {
      from = -1;
      c.at++;
    }
    if (peek(c) === '' || peek(c) === ' ') {
      if (from >= 0) fail('a weekday range has no end');
      return skipSpaces(c);
    }
    first = false;
  }
}

/**
 * YYYY-MM-DD, MM-DD (either with ~ for days from the month's end), or @SECONDS. Returns true when
 * the expression is complete (@SECONDS takes no time); leaves the cursor alone when what follows
 * is a time.
 */
function date(c: Cursor, spec: Spec): boolean {
  if (peek(c) === '') return false;
  if (peek(c) === '@') {
    c.at++;
    epoch(c);
    return true;
  }
  const t = { ...c };
  const first = field(t, false);
  if (peek(t) === '' || peek(t) === ':') return false;
  const separator = () => {
    if (peek(t) === '~') spec.endOfMonth = true;
    else if (peek(t) !== '-') fail(`"${peek(t)}" cannot follow a date field (YYYY-MM-DD)`);
    t.at++;
  };
  separator();
  const second = field(t, false);
  if (peek(t) === '' || peek(t) === ' ') {
    Object.assign(spec, { month: first, day: second });
  } else {
    if (spec.endOfMonth) fail('~ (days from the month\'s end) goes between month and day');
    separator();
    const third = field(t, false);
    if (peek(t) !== '' && peek(t) !== ' ') fail(`"${peek(t)}" cannot follow a date (YYYY-MM-DD)`);
    Object.assign(spec, { year: first, month: second, day: third });
  }
  c.at = t.at;
  skipSpaces(c);
  return false;
}

/** @SECONDS since 1970, read as strtoul reads it: blanks and a sign before the digits. */
function epoch(c: Cursor): void {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(c.text.slice(c.at));
  if (!m) fail('@ takes seconds since 1970');
  c.at += m[0].length;
  const value = Number(m[2]);
  const seconds = m[1] === '-' && value !== 0 ? -value : value;
  const year = new Date(seconds * 1000).getUTCFullYear();
  if (!Number.isFinite(seconds) || Number.isNaN(year) || year < MIN_YEAR || year > MAX_YEAR) fail(`@${m[1]}${m[2]} is not a time between ${MIN_YEAR} and ${MAX_YEAR}`);
}

/** HH:MM[:SS[.ffffff]]; nothing at all is midnight. */
function time(c: Cursor, spec: Spec): void {
  if (peek(c) === '') {
    Object.assign(spec, { hour: [item(0)], minute: [item(0)], usec: [item(0)] });
    return;
  }
  spec.hour = field(c, false);
  if (peek(c) !== ':') fail(peek(c) === '' ? 'a time needs minutes (HH:MM)' : `"${peek(c)}" cannot follow the hour (HH:MM)`);
  c.at++;
  spec.minute = field(c, false);
  if (peek(c) === '') {
    spec.usec = [item(0)];
    return;
  }
  if (peek(c) !== ':') fail(`"${peek(c)}" cannot follow the minutes (HH:MM:SS)`);
  c.at++;
  spec.usec = field(c, true);
  if (peek(c) !== '') fail(`"${c.text.slice(c.at)}" cannot follow the seconds`);
}

const item = (start: number): Item => ({ start, stop: -1, repeat: 0 });

/** `*`, or items separated by commas: N, N..M, N/STEP, N..M/STEP. Seconds may have a fraction. */
function field(c: Cursor, usec: boolean): Field {
  if (peek(c) === '*') {
    c.at++;
    return usec ? [{ start: 0, stop: -1, repeat: USEC }] : undefined;
  }
  const items: Item[] = [];
  for (;;) {
    if (items.length > MAX_ITEMS) fail(`a field has more than ${MAX_ITEMS} items`);
    const start = decimal(c, usec);
    let stop = -1;
    let repeat = 0;
    if (peek(c) === '.' && peek(c, 1) === '.') {
      c.at += 2;
      stop = decimal(c, usec);
      repeat = usec ? USEC : 1;
    }
    if (peek(c) === '/') {
      c.at++;
      repeat = decimal(c, usec);
      if (repeat === 0) fail('a repetition step of 0');
    } else {
      if (start > INT_MAX - repeat) fail('a number is too large');
      // Without a step, a range of seconds moves in whole seconds: a shorter one never fires.
      if (usec && stop >= 0 && start + repeat > stop) fail('a range of seconds shorter than a second needs a step');
    }
    if (!['', ' ', ',', '-', '~', ':'].includes(peek(c))) fail(`"${peek(c)}" cannot follow a number`);
    items.push({ start, stop, repeat });
    if (peek(c) !== ',') return items;
    c.at++;
  }
}

/** A number; in seconds, with up to six decimals (more are rounded), counted in microseconds. */
function decimal(c: Cursor, usec: boolean): number {
  const m = /^\d+/.exec(c.text.slice(c.at));
  if (!m) fail(peek(c) === '' ? 'a number is missing at the end' : `"${peek(c)}" is not a number`);
  c.at += m[0].length;
  let value = Number(m[0]);
  if (usec) {
    value *= USEC;
    if (peek(c) === '.' && peek(c, 1) !== '.') {
      c.at++;
      const digits = /^\d+/.exec(c.text.slice(c.at))?.[0];
      if (!digits) fail('a decimal point without digits');
      c.at += digits.length;
      value += Number(digits.slice(0, 6).padEnd(6, '0')) + (digits.length > 6 && digits[6]! >= '5' ? 1 : 0);
    }
  }
  if (value > INT_MAX) fail(`${m[0]} is too large`);
  return value;
}

/** systemd's normalisation, then its bounds: every field within its range, every step able to fire. */
function valid(spec: Spec): void {
  const years = spec.year?.map((i) => ({ ...i, start: fullYear(i.start), stop: fullYear(i.stop) }));
  const fields: [string, Field, number, number, boolean][] = [
    ['year', years, MIN_YEAR, MAX_YEAR, false],
    ['month', spec.month, 1, 12, false],
    ['day', spec.day, 1, 31, spec.endOfMonth],
    ['hour', spec.hour, 0, 23, false],
    ['minute', spec.minute, 0, 59, false],
    ['second', spec.usec, 0, 60 * USEC - 1, false],
  ];
  for (const [name, items, from, max, fromEnd] of fields) {
    const shown = (n: number) => (name === 'second' ? String(n / USEC) : String(n));
    let to = max;
    for (const i of normalised(items ?? [])) {
      // systemd narrows the bound for days from the month's end once per item, not once per field.
      if (fromEnd) to -= 3;
      const outside = [i.start, i.stop].find((n) => n !== -1 && (n < from || n > to));
      if (outside !== undefined) fail(`${name} ${shown(outside)} is out of range (${shown(from)}-${shown(to)})`);
      const fires = i.repeat <= to - from && (i.stop >= 0 ? i.start + i.repeat <= i.stop : fromEnd ? i.start - i.repeat >= from : i.start + i.repeat <= to);
      if (!fires) fail(`${name} ${shown(i.start)}${i.stop >= 0 ? `..${shown(i.stop)}` : ''}/${shown(i.repeat)} never repeats within ${shown(from)}-${shown(to)}`);
    }
  }
}

/** Ranges shortened to a multiple of their step, single-value ranges made values, sorted, duplicates dropped. */
function normalised(items: Item[]): Item[] {
  const out = items.map((i) => {
    let { stop, repeat } = i;
    if (stop > i.start && repeat > 0) stop -= (stop - i.start) % repeat;
    if ((stop > i.start && repeat > 0 && i.start + repeat > stop) || i.start === stop) {
      stop = -1;
      repeat = 0;
    }
    return { start: i.start, stop, repeat };
  });
  out.sort((a, b) => a.start - b.start || a.stop - b.stop || a.repeat - b.repeat);
  return out.filter((i, k) => k === 0 || i.start !== out[k - 1]!.start || i.stop !== out[k - 1]!.stop || i.repeat !== out[k - 1]!.repeat);
}

/** Two-digit years as systemd reads them: 24 is 2024, 89 is 1989. */
function fullYear(y: number): number {
  if (y >= 0 && y < 70) return y + 2000;
  if (y >= 70 && y < 100) return y + 1900;
  return y;
}

/** An IANA zone name as systemd's timezone_is_valid sees it: a file under /usr/share/zoneinfo. */
function isTimeZone(name: string): boolean {
  // Zone files are named in capitals (Europe/Berlin); Intl would also take europe/berlin, systemd not.
  if (!/^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
