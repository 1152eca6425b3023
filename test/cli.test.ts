import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { berth, removeTree, ROOT, tempTree } from './helpers.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const EXAMPLE = join(ROOT, 'examples', 'homelab');
const ESC = '\u001b';

describe('berth CLI', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach(removeTree));

  test('--version and -V print the version', () => {
    for (const flag of ['--version', '-V']) {
      const r = berth([flag]);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `${pkg.version}\n`);
    }
  });

  test('--help lists every command and the exit codes; each command has --help', () => {
    const r = berth(['--help']);
    assert.equal(r.code, 0);
    for (const c of ['init', 'validate', 'hosts', 'stacks']) {
      assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
      const h = berth([c, '--help']);
      assert.equal(h.code, 0);
      assert.match(h.stdout, new RegExp(`^Usage: berth ${c}`));
    }
    assert.match(r.stdout, /Exit codes: 0 ok, 1 .*, 2 .*, 70 internal error/);
  });

  test('no command prints help and exits 2', () => {
    const r = berth([]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /Usage: berth <command>/);
  });

  test('unknown commands and options are usage errors (exit 2) with a suggestion', () => {
    const a = berth(['valdate']);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /unknown command "valdate"; did you mean "validate"\?/);
    const b = berth(['validate', '--bogus']);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /Unknown option '--bogus'/);
    const c = berth(['hosts', 'extra']);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /too many arguments: extra/);
  });

  test('validate examples/homelab exits 0 with a short summary', () => {
    const r = berth(['validate', 'examples/homelab']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^examples\/homelab: valid: 2 hosts, 7 stacks, \d+ services \(0 errors, 0 warnings\)\n$/m);
  });

  test('hosts and stacks list the example, as tables and as JSON', () => {
    const hosts = berth(['hosts', '--repo', EXAMPLE]);
    assert.equal(hosts.code, 0, hosts.stderr);
    assert.match(hosts.stdout, /^HOST\s+ADDRESS\s+USER\s+MODE\s+STACKS/);
    assert.match(hosts.stdout, /^doc1\s+doc1\.lan\s+homelab\s+podman\/quadlet\s+management, immich/m);

    const json = JSON.parse(berth(['hosts', '--json', '--repo', EXAMPLE]).stdout) as { name: string; stacks: string[] }[];
    assert.deepEqual(json.map((h) => h.name), ['doc1', 'media1']);
    assert.ok(json[1]!.stacks.includes('jellyfin'));

    const stacks = JSON.parse(berth(['stacks', 'media1', '--json', '--repo', EXAMPLE]).stdout) as { name: string; services: string[] }[];
    assert.deepEqual(stacks.map((s) => s.name).sort(), ['downloads', 'jellyfin', 'management']);
    const unknown = berth(['stacks', 'media2', '--repo', EXAMPLE]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no host "media2".*did you mean "media1"\?/);
  });

  test('colour only on request, never with NO_COLOR', () => {
    const broken = tempTree({ 'hosts.yml': 'hosts:\n  a:\n    stacks: [nope]\n' });
    dirs.push(broken);
    const plain = berth(['validate', broken]);
    assert.ok(!plain.stdout.includes(ESC));
    const forced = berth(['validate', broken], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    assert.ok(forced.stdout.includes(`${ESC}[31merror`));
    const noColor = berth(['validate', broken], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    assert.ok(!noColor.stdout.includes(ESC));
  });

  test('init creates a repository that validates, and never overwrites', () => {
    const dir = tempTree({});
    dirs.push(dir);
    const r = berth(['init', 'lab'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Created a berth repository in lab/);
    const v = berth(['validate', 'lab'], { cwd: dir });
    assert.equal(v.code, 0, v.stdout);
    const again = berth(['init', 'lab'], { cwd: dir });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /never overwrites/);
  });
});
