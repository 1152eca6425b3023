import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Ajv04Class from 'ajv-draft-04';
import type addFormatsFn from 'ajv-formats';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { berth, removeTree, ROOT, tempTree } from './helpers.js';

const require = createRequire(import.meta.url);
// CommonJS modules whose default export NodeNext typing does not see as callable.
const Ajv04 = require('ajv-draft-04') as typeof Ajv04Class.default;
const addFormats = require('ajv-formats') as typeof addFormatsFn.default;
const SARIF_SCHEMA = join(require.resolve('@microsoft/jest-sarif/package.json'), '..', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');

const PROJECT = {
  'compose.yml': [
    '# the app',
    'version: "3.8"',
    'services:',
    '  vpn:',
    '    image: docker.io/library/wireguard:1.0',
    '    privileged: true # needs tun',
    '    secrets: [key]',
    'secrets:',
    '  key:',
    '    file: ./secrets/key',
    '',
  ].join('\n'),
  'Dockerfile': 'FROM node\nCMD ["node", "server.js"]\n',
};

interface JsonReport {
  grade: { letter: string; score: number | null; categories: { category: string; score: number | null }[] };
  summary: { findings: number; suppressed: number; fixable: { safe: number; unsafe: number } };
  findings: { rule: string; file: string; line: number; column: number; severity: string }[];
}

describe('berth audit', () => {
  const dirs: string[] = [];
  const project = (files: Record<string, string>) => {
    const d = tempTree(files);
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach(removeTree));

  const json = (dir: string, ...args: string[]) => {
    const r = berth(['audit', '--format', 'json', ...args, dir], { cwd: dir });
    return { ...r, report: JSON.parse(r.stdout) as JsonReport };
  };
  const find = (r: JsonReport, rule: string) => r.findings.filter((f) => f.rule === rule).map((f) => `${f.file}:${f.line}:${f.column}`);

  test('finds problems with exact positions and exits 1 at or above --fail-on', () => {
    const dir = project(PROJECT);
    const { code, report } = json(dir);
    assert.equal(code, 1);
    assert.deepEqual(find(report, 'no-privileged'), ['compose.yml:6:5']);
    assert.deepEqual(find(report, 'obsolete-version'), ['compose.yml:2:1']);
    assert.deepEqual(find(report, 'compose-secret-file-missing'), ['compose.yml:10:11']);
    assert.deepEqual(find(report, 'base-image-tag'), ['Dockerfile:1:6']);
    assert.equal(json(dir, '--fail-on', 'critical').code, 0);
    assert.equal(json(dir, '--fail-on', 'none').code, 0);
    assert.equal(json(dir, '--fail-on', 'low').code, 1);
  });

  test('the text report shows the source line, a caret and the fix', () => {
    const dir = project(PROJECT);
    const r = berth(['audit', dir], { cwd: dir });
    assert.match(r.stdout, /^compose\.yml$/m);
    assert.match(r.stdout, / {2}6:5 {5}high {5}service "vpn" runs privileged.*no-privileged\n {10}\| {5}privileged: true # needs tun\n {10}\| {5}\^{10}\n {10}fix \(--fix-unsafe\): Remove privileged/);
    assert.match(r.stdout, /^Summary: \d+ findings .* in 2 files/m);
    assert.match(r.stdout, /^Grade: [A-F][+-]? \(\d+\.\d\/10\)/m);
  });

  test('SARIF output is valid SARIF 2.1.0 with fingerprints that survive a line shift', () => {
    const dir = project(PROJECT);
    const sarif = (d: string) => JSON.parse(berth(['audit', '--format', 'sarif', d], { cwd: d }).stdout) as { runs: { results: { ruleId: string; partialFingerprints: Record<string, string>; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] };
    const log = sarif(dir);
    // unicodeRegExp: false because the official schema has a pattern that is invalid with the u flag.
    const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(SARIF_SCHEMA, 'utf8')) as object);
    assert.ok(validate(log), ajv.errorsText(validate.errors));
    assert.ok(log.runs[0]!.results.length >= 4);

    const shifted = project({ ...PROJECT, 'compose.yml': `\n\n${PROJECT['compose.yml']}` });
    const again = sarif(shifted);
    const prints = (l: typeof log) => l.runs[0]!.results.map((x) => `${x.ruleId} ${x.partialFingerprints['berthFinding/v1']}`).sort();
    assert.deepEqual(prints(again), prints(log));
    assert.notDeepEqual(again.runs[0]!.results.map((x) => x.locations[0]!.physicalLocation.region.startLine), log.runs[0]!.results.map((x) => x.locations[0]!.physicalLocation.region.startLine));
  });

  test('berth-ignore silences a finding on its line or the line above; unused ones are reported', () => {
    const dir = project({
      'compose.yml': [
        'services:',
        '  vpn:',
        '    image: docker.io/library/wireguard:1.0',
        '    # berth-ignore no-privileged -- the tun module needs it',
        '    privileged: true',
        '  web:',
        '    image: docker.io/library/nginx:1.27 # berth-ignore no-privileged -- stale',
        '',
      ].join('\n'),
    });
    const { report } = json(dir);
    assert.deepEqual(find(report, 'no-privileged'), []);
    assert.equal(report.summary.suppressed, 1);
    assert.deepEqual(find(report, 'unused-ignore'), ['compose.yml:7:41']);
  });

  test('a file-level berth-ignore-file silences the rule in that file', () => {
    const dir = project({ 'Dockerfile': '# berth-ignore-file base-image-tag -- a throwaway tools image\nFROM ubuntu\nFROM debian\n' });
    const { report } = json(dir);
    assert.deepEqual(find(report, 'base-image-tag'), []);
    assert.equal(report.summary.suppressed, 2);
  });

  test('.berthrc.yml turns rules off, changes severities and ignores paths', () => {
    const dir = project({
      ...PROJECT,
      'legacy/Dockerfile': 'FROM debian\n',
      '.berthrc.yml': 'rules:\n  obsolete-version: off\n  no-privileged: low\nignore:\n  - path: legacy/\n    rules: [base-image-tag]\n',
    });
    const { report } = json(dir);
    assert.deepEqual(find(report, 'obsolete-version'), []);
    assert.deepEqual(report.findings.filter((f) => f.rule === 'no-privileged').map((f) => f.severity), ['low']);
    assert.deepEqual(find(report, 'base-image-tag'), ['Dockerfile:1:6']);
  });

  test('a configuration error is exit 2 with position and suggestion', () => {
    const dir = project({ ...PROJECT, '.berthrc.yml': 'rules:\n  no-priviliged: off\nprofile: paranoid\n' });
    const r = berth(['audit', dir], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\.berthrc\.yml:3:10: error "profile" must be one of "recommended", "rootless-podman", "strict"/);
    const r2 = berth(['audit', dir], { cwd: dir, env: {} });
    assert.equal(r2.code, 2);
    const dir2 = project({ ...PROJECT, '.berthrc.yml': 'rules:\n  no-priviliged: off\n' });
    const r3 = berth(['audit', dir2], { cwd: dir2 });
    assert.equal(r3.code, 2);
    assert.match(r3.stderr, /\.berthrc\.yml:2:3: error unknown rule "no-priviliged".*\n[\s\S]*did you mean "no-privileged"\?/);
  });

  test('usage errors: bad format, missing path, --dry-run alone', () => {
    const dir = project(PROJECT);
    assert.equal(berth(['audit', '--format', 'xml', dir]).code, 2);
    assert.match(berth(['audit', join(dir, 'nope')]).stderr, /no such file or folder/);
    assert.match(berth(['audit', '--dry-run', dir]).stderr, /--dry-run goes with --fix/);
  });

  test('--fix --dry-run prints a diff and writes nothing; --fix keeps comments; a second --fix changes nothing', () => {
    const dir = project(PROJECT);
    const before = readFileSync(join(dir, 'compose.yml'), 'utf8');
    const dry = berth(['audit', '--fix', '--dry-run', dir], { cwd: dir });
    assert.equal(dry.code, 1, "a dry run that would change files exits 1, like a check");
    assert.match(dry.stdout, /^--- a\/compose\.yml\n\+\+\+ b\/compose\.yml\n@@ .* @@\n # the app\n-version: "3\.8"\n services:/m);
    assert.equal(readFileSync(join(dir, 'compose.yml'), 'utf8'), before);

    berth(['audit', '--fix', dir], { cwd: dir });
    const once = readFileSync(join(dir, 'compose.yml'), 'utf8');
    assert.equal(once, before.replace('version: "3.8"\n', ''));
    const second = berth(['audit', '--fix', dir], { cwd: dir });
    assert.match(second.stderr, /fixed 0 files\n/);
    assert.equal(readFileSync(join(dir, 'compose.yml'), 'utf8'), once);

    berth(['audit', '--fix-unsafe', dir], { cwd: dir });
    assert.doesNotMatch(readFileSync(join(dir, 'compose.yml'), 'utf8'), /privileged/);
  });

  test('--output writes the report atomically and prints the summary', () => {
    const dir = project(PROJECT);
    const out = join(dir, 'report.md');
    const r = berth(['audit', '--format', 'markdown', '--output', out, dir], { cwd: dir });
    assert.match(r.stderr, /wrote .*report\.md/);
    assert.match(readFileSync(out, 'utf8'), /^# berth-test-\w+: Container Configuration Audit\n/);
  });

  test('--list-rules lists the catalogue', () => {
    const r = berth(['audit', '--list-rules']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^RULE\s+CATEGORY\s+SEVERITY\s+FIX\s+PROFILES/);
    assert.match(r.stdout, /^no-privileged\s+security\s+high\s+unsafe\s+recommended, rootless-podman, strict$/m);
  });

  test('auditing the example homelab includes the berth repository checks', () => {
    const r = berth(['audit', '--format', 'json', 'examples/homelab'], { cwd: ROOT });
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.deepEqual(find(report, 'berth-repository'), []);
    assert.ok(report.grade.score !== null);
  });
});
