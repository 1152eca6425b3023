import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadCompose, type LoadOptions, type LoadResult } from '../src/compose/load.js';
import { error, type Diagnostic } from '../src/diagnostics/diagnostic.js';
import type { ComposeProject, Service } from '../src/model/compose.js';
import { FileSource } from '../src/source/files.js';
import { spanAt } from '../src/source/tree.js';

let tmp: string;
let counter = 0;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'berth-compose-load-'));
});
after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Writes the files (paths relative to a fresh folder) and returns that folder. */
function project(files: Record<string, string>): string {
  const dir = join(tmp, `p${++counter}`);
  for (const [rel, text] of Object.entries(files)) {
    const file = join(dir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

/** Joins lines into file text, so each line number in a test is easy to count. */
const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

function load(dir: string, options: LoadOptions = {}, file = 'compose.yml'): LoadResult {
  return loadCompose(join(dir, file), new FileSource(), options);
}

/** Loads a project that must have no diagnostics at all. */
function loadClean(dir: string, options: LoadOptions = {}, file = 'compose.yml'): ComposeProject {
  const r = load(dir, options, file);
  assert.deepEqual(r.diagnostics, []);
  assert.ok(r.project);
  return r.project;
}

function service(p: ComposeProject, name: string): Service {
  const s = p.services[name];
  assert.ok(s, `no service ${name}`);
  return s;
}

/** Code, severity, line and column of each diagnostic: compact and exact. */
const summary = (diags: Diagnostic[]) => diags.map((d) => [d.code, d.severity, d.span.line, d.span.col]);

function only(r: LoadResult, code: Diagnostic['code']): Diagnostic {
  const found = r.diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got ${JSON.stringify(summary(r.diagnostics))}`);
  return found[0]!;
}

describe('loadCompose: canonical forms', () => {
  let dir: string;
  let web: Service;
  before(() => {
    dir = project({
      'compose.yml': yaml(
        'services:',
        '  web:',
        '    image: nginx',
        '    environment: [A=1, B, C=x=y]',
        '    labels: ["traefik.enable=true"]',
        '    depends_on: [db]',
        '    healthcheck:',
        '      test: curl -f http://localhost',
        '    ulimits:',
        '      nofile: 1024',
        '    networks: [front]',
        '    env_file: web.env',
        '    secrets: [pw]',
        '  db:',
        '    build: ./db',
        'networks:',
        '  front: {}',
        'secrets:',
        '  pw:',
        '    file: ./pw.txt',
      ),
    });
    web = service(loadClean(dir), 'web');
  });

  it('environment list → map, splitting at the first "=", a bare name → null', () => {
    assert.deepEqual(web.config.environment, { A: '1', B: null, C: 'x=y' });
  });

  it('labels list → map', () => {
    assert.deepEqual(web.config.labels, { 'traefik.enable': 'true' });
  });

  it('depends_on list → map with service_started, required true, restart false', () => {
    assert.deepEqual(web.config.depends_on, { db: { condition: 'service_started', required: true, restart: false } });
  });

  it('healthcheck test string → ["CMD-SHELL", string]', () => {
    assert.deepEqual(web.config.healthcheck, { test: ['CMD-SHELL', 'curl -f http://localhost'] });
  });

  it('ulimits number → {soft, hard}', () => {
    assert.deepEqual(web.config.ulimits, { nofile: { soft: 1024, hard: 1024 } });
  });

  it('networks list → map', () => {
    assert.deepEqual(web.config.networks, { front: {} });
  });

  it('env_file string → [{path (absolute), required: true}]', () => {
    assert.deepEqual(web.config.env_file, [{ path: join(dir, 'web.env'), required: true }]);
  });

  it('secrets short → {source}', () => {
    assert.deepEqual(web.config.secrets, [{ source: 'pw' }]);
  });

  it('build string → {context (absolute)}', () => {
    const p = loadClean(dir);
    assert.deepEqual(service(p, 'db').config.build, { context: join(dir, 'db') });
  });

  it('top-level secret files are made absolute', () => {
    assert.equal(loadClean(dir).secrets.pw?.config.file, join(dir, 'pw.txt'));
  });

  it('spanAt(service.node, ["ports", 0]) points at the written port text', () => {
    const p = loadClean(
      project({ 'compose.yml': yaml('services:', '  web:', '    image: nginx', '    ports:', '      - "127.0.0.1:8080:80"', '      - 9000-9001:9000-9001') }),
    );
    const s = service(p, 'web');
    assert.deepEqual(s.config.ports.map((x) => x.published), [8080, 9000, 9001]);
    const at = (i: number) => {
      const sp = spanAt(s.node, ['ports', i]);
      return [sp.line, sp.col, sp.endLine, sp.endCol];
    };
    assert.deepEqual(at(0), [5, 9, 5, 28]);
    assert.deepEqual(at(1), [6, 9, 6, 28]);
    assert.deepEqual(at(2), [6, 9, 6, 28]);
  });
});

describe('loadCompose: variables', () => {
  it('reads the project folder .env; options.env wins over it', () => {
    const dir = project({
      '.env': 'TAG=from-dotenv\nOTHER=o # comment\n',
      'compose.yml': yaml('services:', '  web:', '    image: "nginx:${TAG}"', '    environment: {O: "${OTHER}"}'),
    });
    const fromDotenv = service(loadClean(dir), 'web').config;
    assert.equal(fromDotenv.image, 'nginx:from-dotenv');
    assert.deepEqual(fromDotenv.environment, { O: 'o' });
    assert.equal(service(loadClean(dir, { env: { TAG: 'from-env' } }), 'web').config.image, 'nginx:from-env');
  });

  it('an unset variable without onUnset is no diagnostic, but is in project.unresolved', () => {
    const dir = project({ 'compose.yml': yaml('services:', '  web:', '    image: "nginx:${TAG}"', '    user: "${U:-1000}"') });
    const p = loadClean(dir);
    assert.equal(service(p, 'web').config.image, 'nginx:');
    assert.deepEqual([...p.unresolved.keys()], ['TAG']);
    const at = p.unresolved.get('TAG')!;
    assert.deepEqual([at.file, at.line, at.col, at.endLine, at.endCol], [join(dir, 'compose.yml'), 3, 12, 3, 26]);
    assert.deepEqual([...p.variables.keys()], ['TAG', 'U']);
  });

  it('onUnset is called with the name and position, and its diagnostic is kept', () => {
    const dir = project({ 'compose.yml': yaml('services:', '  web:', '    image: "nginx:${TAG}"') });
    const r = load(dir, { onUnset: (name, span) => error('VAR_UNDEFINED', span, `no ${name}`) });
    assert.deepEqual(summary(r.diagnostics), [['VAR_UNDEFINED', 'error', 3, 12]]);
    assert.equal(r.diagnostics[0]!.message, 'no TAG');
  });

  it('a port "${PORT}:80" with PORT unset is a VAR_UNSET warning, not an error', () => {
    const dir = project({ 'compose.yml': yaml('services:', '  web:', '    image: nginx', '    ports: ["${PORT}:80"]') });
    const r = load(dir);
    assert.deepEqual(summary(r.diagnostics), [['VAR_UNSET', 'warning', 4, 13]]);
  });

  it('a port "${PORT}" with PORT unset is a VAR_UNSET warning, not PORT_INVALID', () => {
    const dir = project({ 'compose.yml': yaml('services:', '  web:', '    image: nginx', '    ports: ["${PORT}"]') });
    const r = load(dir);
    assert.deepEqual(summary(r.diagnostics), [['VAR_UNSET', 'warning', 4, 13]]);
    assert.match(r.diagnostics[0]!.message, /\$\{PORT\}/);
  });

  it('a bad port that depends on no variable is PORT_INVALID', () => {
    const dir = project({ 'compose.yml': yaml('services:', '  web:', '    image: nginx', '    ports: ["70000:80"]') });
    assert.deepEqual(summary(load(dir).diagnostics), [['PORT_INVALID', 'error', 4, 13]]);
  });

  describe('${X:?msg} with X unset', () => {
    const files = { 'compose.yml': yaml('services:', '  web:', '    image: "nginx:${X:?pick a tag}"') };

    it('is an error VAR_REQUIRED with the message when strictVariables is true', () => {
      const d = only(load(project(files), { strictVariables: true }), 'VAR_REQUIRED');
      assert.equal(d.severity, 'error');
      assert.match(d.message, /pick a tag/);
      assert.deepEqual([d.span.line, d.span.col], [3, 12]);
    });

    it('is only a warning when strictVariables is false', () => {
      const r = load(project(files), { strictVariables: false });
      assert.deepEqual(summary(r.diagnostics), [['VAR_REQUIRED', 'warning', 3, 12]]);
      assert.match(r.diagnostics[0]!.message, /pick a tag/);
    });
  });

  it('a malformed ${...} is VAR_SYNTAX at the value', () => {
    const dir = project({ 'compose.yml': yaml('services:', '  web:', '    image: "nginx:${}"') });
    assert.deepEqual(summary(load(dir).diagnostics), [['VAR_SYNTAX', 'error', 3, 12]]);
  });
});

describe('loadCompose: extends', () => {
  it('extends a service in the same file; child values win', () => {
    const dir = project({
      'compose.yml': yaml(
        'services:',
        '  base:',
        '    image: base:1',
        '    environment: [A=1, B=2]',
        '    restart: always',
        '  web:',
        '    extends: base',
        '    image: web:2',
        '    environment: {B: "20", C: "3"}',
      ),
    });
    const c = service(loadClean(dir), 'web').config;
    assert.equal(c.image, 'web:2');
    assert.equal(c.restart, 'always');
    assert.deepEqual(c.environment, { A: '1', B: '20', C: '3' });
    assert.equal(c.extends, undefined);
  });

  it('extends a service in another file, resolving its paths against THAT file', () => {
    const dir = project({
      'common/base.yml': yaml(
        'services:',
        '  base:',
        '    image: base:1',
        '    command: ["run", "--all"]',
        '    environment: {X: "1", Y: "2"}',
        '    env_file: base.env',
        '    volumes:',
        '      - ./conf:/conf:ro',
        '      - ./data:/data',
        '      - type: bind',
        '        source: ./logs',
        '        target: /logs',
      ),
      'app/compose.yml': yaml(
        'services:',
        '  web:',
        '    extends: {file: ../common/base.yml, service: base}',
        '    command: ["serve"]',
        '    environment: [Y=20]',
        '    volumes: ["./mine:/data"]',
      ),
    });
    const p = loadClean(dir, {}, 'app/compose.yml');
    const c = service(p, 'web').config;
    assert.equal(c.image, 'base:1');
    assert.deepEqual(c.command, ['serve']);
    assert.deepEqual(c.environment, { X: '1', Y: '20' });
    assert.deepEqual(c.env_file, [{ path: join(dir, 'common/base.env'), required: true }]);
    assert.deepEqual(c.volumes, [
      { type: 'bind', source: join(dir, 'common/conf'), target: '/conf', read_only: true },
      { type: 'bind', source: join(dir, 'app/mine'), target: '/data' },
      { type: 'bind', source: join(dir, 'common/logs'), target: '/logs' },
    ]);
    assert.deepEqual(p.files, [join(dir, 'app/compose.yml'), join(dir, 'common/base.yml')]);
  });

  it('follows a chain of extends', () => {
    const dir = project({
      'compose.yml': yaml(
        'services:',
        '  a:',
        '    image: a',
        '    labels: [x=1]',
        '  b:',
        '    extends: a',
        '    labels: [y=2]',
        '  c:',
        '    extends: b',
        '    labels: [z=3]',
      ),
    });
    const c = service(loadClean(dir), 'c').config;
    assert.equal(c.image, 'a');
    assert.deepEqual(c.labels, { x: '1', y: '2', z: '3' });
  });

  it('an extends cycle is EXTENDS_INVALID at the extends value', () => {
    const dir = project({
      'compose.yml': yaml('services:', '  a:', '    image: x', '    extends: b', '  b:', '    image: y', '    extends: a'),
    });
    const r = load(dir);
    assert.deepEqual(
      summary(r.diagnostics).sort(),
      [
        ['EXTENDS_INVALID', 'error', 4, 14],
        ['EXTENDS_INVALID', 'error', 7, 14],
      ],
    );
    assert.ok(r.diagnostics.every((d) => /extends cycle/.test(d.message)));
  });

  it('a service extending itself is EXTENDS_INVALID', () => {
    const dir = project({ 'compose.yml': yaml('services:', '  a:', '    image: x', '    extends: a') });
    const d = only(load(dir), 'EXTENDS_INVALID');
    assert.deepEqual([d.span.line, d.span.col], [4, 14]);
  });

  it('extends to a missing service is EXTENDS_INVALID with "did you mean"', () => {
    const dir = project({ 'compose.yml': yaml('services:', '  web:', '    image: x', '    extends: tmpl', '  tmpI:', '    image: y') });
    const d = only(load(dir), 'EXTENDS_INVALID');
    assert.match(d.message, /"tmpl"/);
    assert.equal(d.hint, 'did you mean "tmpI"?');
    assert.deepEqual([d.span.line, d.span.col], [4, 14]);
  });

  it('extends to a missing file is EXTENDS_INVALID', () => {
    const dir = project({ 'compose.yml': yaml('services:', '  web:', '    extends: {file: nope.yml, service: base}') });
    const d = only(load(dir), 'EXTENDS_INVALID');
    assert.match(d.message, /nope\.yml/);
    assert.equal(d.span.line, 3);
  });
});

describe('loadCompose: include', () => {
  it('merges the services and resources of an included file', () => {
    const dir = project({
      'compose.yml': yaml('include: [sub/other.yml]', 'services:', '  web:', '    image: w', '    depends_on: [api]', '    networks: [back]'),
      'sub/other.yml': yaml('services:', '  api:', '    image: api', '    volumes: ["./cfg:/cfg"]', 'networks:', '  back: {}'),
    });
    const p = loadClean(dir);
    assert.deepEqual(Object.keys(p.services), ['web', 'api']);
    assert.deepEqual(service(p, 'api').config.volumes, [{ type: 'bind', source: join(dir, 'sub/cfg'), target: '/cfg' }]);
    assert.deepEqual(Object.keys(p.networks), ['back']);
    assert.deepEqual(p.files, [join(dir, 'compose.yml'), join(dir, 'sub/other.yml')]);
  });

  it('a service name in both files is INCLUDE_INVALID at the include entry', () => {
    const dir = project({
      'compose.yml': yaml('include:', '  - other.yml', 'services:', '  web:', '    image: w'),
      'other.yml': yaml('services:', '  web:', '    image: w2'),
    });
    const d = only(load(dir), 'INCLUDE_INVALID');
    assert.match(d.message, /"web"/);
    assert.deepEqual([d.span.line, d.span.col], [2, 5]);
  });

  it('an include cycle is INCLUDE_INVALID', () => {
    const dir = project({
      'compose.yml': yaml('include: [b.yml]', 'services:', '  a:', '    image: a'),
      'b.yml': yaml('include: [compose.yml]', 'services:', '  b:', '    image: b'),
    });
    const d = only(load(dir), 'INCLUDE_INVALID');
    assert.match(d.message, /include cycle/);
    assert.equal(d.span.file, join(dir, 'b.yml'));
    assert.deepEqual([d.span.line, d.span.col], [1, 11]);
  });

  it('profiles apply to the whole project: a dependency defined in an included file is enabled, and inactive ones are listed', () => {
    const dir = project({
      'compose.yml': yaml('include: [other.yml]', 'services:', '  web:', '    image: w', '    depends_on: [helper]'),
      'other.yml': yaml('services:', '  helper:', '    image: h', '    profiles: [tools]', '  debug:', '    image: d', '    profiles: [debug]'),
    });
    const p = loadClean(dir);
    assert.deepEqual(Object.keys(p.services).sort(), ['helper', 'web']);
    assert.deepEqual(p.inactiveServices, ['debug']);
  });

  it('a mistake in an included file is reported once, in that file', () => {
    const dir = project({
      'compose.yml': yaml('include: [other.yml]', 'services:', '  web:', '    image: w'),
      'other.yml': yaml('services:', '  api:', '    command: ["x"]', '    networks: [nope]'),
    });
    const r = load(dir);
    assert.deepEqual(summary(r.diagnostics), [
      ['SERVICE_NO_IMAGE', 'error', 2, 3],
      ['NETWORK_UNKNOWN', 'error', 4, 16],
    ]);
    assert.ok(r.diagnostics.every((d) => d.span.file === join(dir, 'other.yml')));
  });

  it('a missing included file is INCLUDE_INVALID', () => {
    const dir = project({ 'compose.yml': yaml('include: [gone.yml]', 'services:', '  a:', '    image: a') });
    assert.deepEqual(summary(load(dir).diagnostics), [['INCLUDE_INVALID', 'error', 1, 11]]);
  });
});

describe('loadCompose: profiles', () => {
  const files = {
    'compose.yml': yaml(
      'services:',
      '  web:',
      '    image: w',
      '    depends_on: [helper]',
      '  helper:',
      '    image: h',
      '    profiles: [tools]',
      '  debug:',
      '    image: d',
      '    profiles: [debug]',
    ),
  };

  it('excludes services of inactive profiles and lists them; a dependency of an active service is enabled', () => {
    const p = loadClean(project(files));
    assert.deepEqual(Object.keys(p.services), ['web', 'helper']);
    assert.deepEqual(p.inactiveServices, ['debug']);
  });

  it('an active profile enables its services', () => {
    const p = loadClean(project(files), { profiles: ['debug'] });
    assert.deepEqual(Object.keys(p.services), ['web', 'helper', 'debug']);
    assert.deepEqual(p.inactiveServices, []);
  });

  it('depending on a service of an inactive profile only through an inactive service is fine', () => {
    const p = loadClean(
      project({ 'compose.yml': yaml('services:', '  a:', '    image: a', '    profiles: [x]', '    depends_on: [b]', '  b:', '    image: b', '    profiles: [y]') }),
    );
    assert.deepEqual(Object.keys(p.services), []);
    assert.deepEqual(p.inactiveServices, ['a', 'b']);
  });
});

describe('loadCompose: references', () => {
  it('depends_on an undefined service is DEPENDS_UNKNOWN at the name', () => {
    const dir = project({ 'compose.yml': yaml('services:', '  web:', '    image: w', '    depends_on:', '      - dbb', '  db:', '    image: d') });
    const d = only(load(dir), 'DEPENDS_UNKNOWN');
    assert.deepEqual([d.span.line, d.span.col], [5, 9]);
    assert.equal(d.hint, 'did you mean "db"?');
  });

  it('depends_on with required: false may name an undefined service', () => {
    const dir = project({ 'compose.yml': yaml('services:', '  web:', '    image: w', '    depends_on:', '      opt: {condition: service_started, required: false}') });
    loadClean(dir);
  });

  it('undeclared named volume, network and secret are each reported at their use', () => {
    const dir = project({
      'compose.yml': yaml(
        'services:',
        '  web:',
        '    image: w',
        '    networks: [back]',
        '    volumes: ["./bind:/bind", "data:/data"]',
        '    secrets: [pw]',
      ),
    });
    assert.deepEqual(summary(load(dir).diagnostics), [
      ['NETWORK_UNKNOWN', 'error', 4, 16],
      ['VOLUME_UNKNOWN', 'error', 5, 31],
      ['SECRET_UNKNOWN', 'error', 6, 15],
    ]);
  });

  it('declared volume, network and secret are accepted', () => {
    const dir = project({
      'compose.yml': yaml(
        'services:',
        '  web:',
        '    image: w',
        '    networks: [back]',
        '    volumes: ["data:/data"]',
        '    secrets: [pw]',
        'networks: {back: {}}',
        'volumes: {data: {}}',
        'secrets: {pw: {file: ./pw}}',
      ),
    });
    loadClean(dir);
  });

  it('a service with neither image nor build is SERVICE_NO_IMAGE at its name', () => {
    const dir = project({ 'compose.yml': yaml('services:', '  web:', '    image: w', '  worker:', '    command: ["run"]') });
    const d = only(load(dir), 'SERVICE_NO_IMAGE');
    assert.deepEqual([d.span.line, d.span.col], [4, 3]);
    assert.match(d.message, /"worker"/);
  });
});

describe('loadCompose: schema', () => {
  it('ports written as a string is SCHEMA at the value', () => {
    const dir = project({ 'compose.yml': yaml('services:', '  web:', '    image: w', '    ports: "8080:80"') });
    const r = load(dir);
    assert.equal(r.project, undefined);
    assert.deepEqual(summary(r.diagnostics), [['SCHEMA', 'error', 4, 12]]);
    assert.match(r.diagnostics[0]!.message, /services\.web\.ports/);
  });

  it('restart: 5 is SCHEMA at the value', () => {
    const dir = project({ 'compose.yml': yaml('services:', '  web:', '    image: w', '    restart: 5') });
    const d = only(load(dir), 'SCHEMA');
    assert.deepEqual([d.span.line, d.span.col, d.span.endCol], [4, 14, 15]);
  });

  it('an unknown key "restrat" is UNKNOWN_KEY at the key, suggesting "restart"', () => {
    const dir = project({ 'compose.yml': yaml('services:', '  web:', '    image: w', '    restrat: always') });
    const d = only(load(dir), 'UNKNOWN_KEY');
    assert.deepEqual([d.span.line, d.span.col, d.span.endLine, d.span.endCol], [4, 5, 4, 12]);
    assert.match(d.hint ?? '', /restart/);
  });

  it('an empty file is SCHEMA: there is nothing to run', () => {
    const r = load(project({ 'compose.yml': '# nothing yet\n' }));
    assert.deepEqual(summary(r.diagnostics), [['SCHEMA', 'error', 1, 1]]);
    assert.match(r.diagnostics[0]!.message, /the compose file is empty/);
  });

  it('a file that is a list, not a mapping, is SCHEMA', () => {
    const dir = project({ 'compose.yml': yaml('- a', '- b') });
    assert.deepEqual(summary(load(dir).diagnostics), [['SCHEMA', 'error', 1, 1]]);
  });
});

describe('loadCompose: every diagnostic has a position', () => {
  it('line and column are at least 1, whatever went wrong', () => {
    const results = [
      load(project({})), // no compose.yml
      load(project({ 'compose.yml': 'services:\n  web: image: x\n' })),
      load(project({ 'compose.yml': yaml('services:', '  web:', '    image: w', '    restart: 5', '    restrat: x') })),
      load(
        project({
          '.env': 'not a line\n',
          'compose.yml': yaml(
            'include: [gone.yml]',
            'services:',
            '  web:',
            '    extends: nope',
            '    depends_on: [x]',
            '    networks: [n]',
            '    volumes: ["v:/v", "a:b"]',
            '    secrets: [s]',
            '    ports: ["1:2:3:4", "${P}"]',
            '    image: "${Q:?q}${}"',
          ),
        }),
        { strictVariables: true },
      ),
    ];
    const all = results.flatMap((r) => r.diagnostics);
    assert.deepEqual(
      results[3]!.diagnostics.map((d) => d.code).sort(),
      ['DEPENDS_UNKNOWN', 'EXTENDS_INVALID', 'INCLUDE_INVALID', 'NETWORK_UNKNOWN', 'PORT_INVALID', 'SCHEMA', 'SECRET_UNKNOWN', 'VAR_SYNTAX', 'VAR_UNSET', 'VOLUME_INVALID', 'VOLUME_UNKNOWN'],
    );
    for (const d of all) {
      assert.ok(d.span.line >= 1 && d.span.col >= 1, `${d.code} at ${d.span.line}:${d.span.col}`);
      assert.ok(d.span.endLine > d.span.line || (d.span.endLine === d.span.line && d.span.endCol >= d.span.col), `${d.code} ends before it starts`);
    }
    assert.deepEqual(summary(results[0]!.diagnostics), [['FILE_NOT_FOUND', 'error', 1, 1]]);
  });
});
