import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { calendarProblem } from '../src/config/calendar.js';
import { has, skipWithNotice } from './helpers.js';

/** systemd's own verdict: does it parse `expression` as a calendar event? */
function systemdAccepts(expression: string): boolean {
  // TZ=UTC: a local zone's abbreviation (CET) would be accepted by systemd only where it is local.
  const r = spawnSync('systemd-analyze', ['calendar', '--', expression], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', SYSTEMD_LOG_COLOR: '0' } });
  // "Failed to determine next elapse" (a date in the past, a zone quirk) is still a valid expression.
  return !/Failed to parse calendar specification/.test(r.stderr);
}

const TABLE = [
  // berth.yml's defaults and the forms its docs show
  'daily', 'weekly', 'Sun *-*-* 03:00', 'Mon..Fri 04:30', '*-*-01 02:00 UTC',
  // every special word, any case
  'minutely', 'hourly', 'monthly', 'yearly', 'annually', 'anually', 'quarterly', 'semiannually', 'semi-annually', 'biannually', 'bi-annually', 'Daily', 'WEEKLY',
  // weekdays: names, ranges old and new, lists, a trailing comma
  'Mon', 'monday', 'MONDAY', 'mon,fri', 'Mon..Fri', 'mon-fri', 'Sat,Sun 10:00', 'Mon,', 'Mon ', 'Mon  12:00', 'Mon..Wed,Fri',
  'Fri..Mon', 'Mond', 'Mon-', 'mon,,tue', 'Mon..', 'Fr',
  // dates and times, repetitions, ranges, days from the month's end
  '*-*-* 03:00', '2024-01-01', '01-01', '*-02~03', '*-*~1,2', '*-02~28', '*-02~29', '*-*-1/2', '*-*-1/30', '*-*-1/31', '*-*~03/2', '*:0/15', '*:*/15',
  '00/2:00', '12:00:00.5', '12:00:00.1234567', '12:00:00.', '00:00:59.9999995', '*-*-* *:*:*', '*-*-* 24:00', '25:00', '12:60',
  '*-*-1..1', '*-*-1..2', '1..1', '*-*-* 10..11:00', '0-0', '2199-12-31', '2200-01-01', '69-01-01', '1969-01-01', '*-*-*  12:00',
  // seconds since 1970
  '@1395716396', '@ 5', '@+5', '@-0', '@-5', '@', '@x',
  // time zones
  '03:00 UTC', 'daily UTC', 'daily utc', '03:00 Europe/Berlin', '03:00 europe/berlin', 'Mon 03:00 Europe/Nowhere', '*-*-* 03:00 +0100', ' UTC',
  // what people write instead
  '', ' daily', '  daily ', 'every day', 'daily; rm -rf /', 'tomorrow', 'now', 'at 3am', '0 3 * * *', '3am', 'daily\n', 'daily%',
];

test('the calendar check agrees with systemd-analyze calendar, on a table of forms and on generated expressions', (t) => {
  if (!has('systemd-analyze')) return skipWithNotice(t, 'systemd-analyze is missing (.ci/testbed installs systemd)');
  const n = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map(String);
  // A field as people write them: a value (slightly out of range too), *, a range, a step, a list.
  const field = (lo: number, hi: number) =>
    fc.oneof(
      { weight: 4, arbitrary: n(lo, hi) },
      { weight: 1, arbitrary: fc.constant('*') },
      { weight: 1, arbitrary: fc.tuple(n(lo, hi), n(lo, hi)).map(([a, b]) => `${a}..${b}`) },
      { weight: 1, arbitrary: fc.tuple(n(lo, hi), n(0, hi)).map(([a, b]) => `${a}/${b}`) },
      { weight: 1, arbitrary: fc.tuple(n(lo, hi), n(lo, hi), n(1, 5)).map(([a, b, c]) => `${a}..${b}/${c}`) },
      { weight: 1, arbitrary: fc.tuple(n(lo, hi), n(lo, hi)).map(([a, b]) => `${a},${b}`) },
    );
  const day = fc.constantFrom('Mon', 'tue', 'Wednesday', 'Fri', 'Sat', 'sun', 'Mond');
  const weekdays = fc.oneof(day, fc.tuple(day, day).map(([a, b]) => `${a}..${b}`), fc.tuple(day, day).map(([a, b]) => `${a}-${b}`), fc.tuple(day, day).map(([a, b]) => `${a},${b}`));
  const date = fc.oneof(
    fc.tuple(field(1965, 2205), field(0, 13), field(0, 32)).map(([y, m, d]) => `${y}-${m}-${d}`),
    fc.tuple(field(0, 13), field(0, 32)).map(([m, d]) => `${m}-${d}`),
    fc.tuple(field(0, 13), field(0, 32)).map(([m, d]) => `${m}~${d}`),
  );
  const seconds = fc.oneof(field(0, 61), fc.tuple(n(0, 60), fc.constantFrom('5', '25', '1234567', '9999995')).map(([a, b]) => `${a}.${b}`));
  const time = fc.oneof(fc.tuple(field(0, 24), field(0, 60)).map(([h, m]) => `${h}:${m}`), fc.tuple(field(0, 24), field(0, 60), seconds).map(([h, m, s]) => `${h}:${m}:${s}`));
  const zone = fc.constantFrom('', '', '', ' UTC', ' Europe/Berlin', ' America/Port-au-Prince', ' europe/berlin');
  const structured = fc.tuple(fc.option(weekdays), fc.option(date), fc.option(time), zone).map(([w, d, h, z]) => [w, d, h].filter((x) => x !== null).join(' ') + z);
  const token = fc.constantFrom('Mon', 'fri', '*', '-', '~', ':', '/', '..', '.', ',', ' ', '1', '12', '2024', '59', '@', 'daily', 'UTC', 'x', ';');
  const noise = fc.array(token, { minLength: 1, maxLength: 6 }).map((a) => a.join(''));
  const generated = fc.sample(fc.oneof({ weight: 3, arbitrary: structured }, { weight: 1, arbitrary: noise }), { seed: 4004, numRuns: 400 });

  const disagreements: string[] = [];
  let accepted = 0;
  for (const expression of [...new Set([...TABLE, ...generated])]) {
    const systemd = systemdAccepts(expression);
    const problem = calendarProblem(expression);
    if (systemd) accepted++;
    if (systemd !== (problem === undefined)) disagreements.push(`${JSON.stringify(expression)}: systemd ${systemd ? 'accepts' : 'refuses'}, berth ${problem ?? 'accepts'}`);
  }
  assert.deepEqual(disagreements, []);
  assert.ok(accepted > 100, `the comparison covers valid expressions too (${accepted})`);
});

test('what the calendar check says about a refused expression', () => {
  assert.equal(calendarProblem('daily'), undefined);
  assert.match(calendarProblem('every day')!, /^"every" is not a weekday, a date \(YYYY-MM-DD\), a time \(HH:MM\) or one of minutely, hourly, daily/);
  assert.equal(calendarProblem('*-*-* 25:00'), 'hour 25 is out of range (0-23)');
  assert.equal(calendarProblem('Fri..Mon'), 'a weekday range runs backwards (Mon..Fri, not Fri..Mon)');
  assert.equal(calendarProblem('*:0/60'), 'minute 0/60 never repeats within 0-59');
  assert.equal(calendarProblem('12:00:00.'), 'a decimal point without digits');
  assert.equal(calendarProblem(''), 'it is empty');
});
