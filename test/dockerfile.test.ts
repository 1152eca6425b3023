import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDockerfile } from '../src/dockerfile/parse.js';
import { hasFlag, operands, parseShell, program } from '../src/dockerfile/shell.js';

describe('Dockerfile model', () => {
  test('stages, names, base images with registry, tag, digest and stage references', () => {
    const m = parseDockerfile(
      [
        'ARG NODE=20',
        'FROM --platform=$BUILDPLATFORM docker.io/library/node:${NODE}-alpine AS Build',
        'RUN npm ci',
        'FROM ghcr.io/org/base@sha256:abc AS runtime',
        'COPY --from=build /app /app',
        'FROM build',
        'FROM ${UNKNOWN}:1',
      ].join('\n'),
      'Dockerfile',
    );
    assert.deepEqual(
      m.stages.map((s) => [s.name, s.platform, s.from.registry, s.from.name, s.from.tag, s.from.digest, s.from.stage?.index, s.from.unresolved]),
      [
        ['build', '$BUILDPLATFORM', 'docker.io', 'library/node', '20-alpine', undefined, undefined, []],
        ['runtime', undefined, 'ghcr.io', 'org/base', undefined, 'sha256:abc', undefined, []],
        [undefined, undefined, undefined, 'build', undefined, undefined, 0, []],
        [undefined, undefined, undefined, '${UNKNOWN}', '1', undefined, undefined, ['UNKNOWN']],
      ],
    );
    assert.deepEqual(m.preamble.map((i) => i.keyword), ['ARG']);
    const copy = m.stages[1]!.instructions[1]!;
    assert.deepEqual(copy.flags.map((f) => [f.name, f.value, f.span.line, f.span.col]), [['from', 'build', 5, 6]]);
    assert.equal(copy.value, '/app /app');
  });

  test('spans are 1-based with offsets; exec form is read as JSON; ENV and ARG are substituted', () => {
    const text = 'FROM alpine:3.20\nENV APP=/srv\nWORKDIR $APP\nCMD ["node", "$APP/server.js"]\n';
    const m = parseDockerfile(text, 'Dockerfile');
    const [, env, workdir, cmd] = m.stages[0]!.instructions;
    assert.deepEqual([env!.span.line, env!.span.col, env!.span.endLine, env!.span.endCol], [2, 1, 2, 13]);
    assert.equal(text.slice(workdir!.span.offset, workdir!.span.endOffset), 'WORKDIR $APP');
    assert.equal(workdir!.expanded, '/srv');
    assert.deepEqual(cmd!.json, ['node', '$APP/server.js']);
  });

  test('RUN with line continuations and heredocs becomes shell commands', () => {
    const m = parseDockerfile(
      ['FROM debian:12', 'RUN apt-get update \\', '    && apt-get install -qy --no-install-recommends curl \\', '    && rm -rf /var/lib/apt/lists/*', 'RUN <<EOF', 'set -e', 'curl -fsSL https://x.sh | sh', 'EOF'].join('\n'),
      'Dockerfile',
    );
    const [, run1, run2] = m.stages[0]!.instructions;
    assert.deepEqual(run1!.shell!.map((c) => [program(c), c.before, c.after]), [
      ['apt-get', undefined, '&&'],
      ['apt-get', '&&', '&&'],
      ['rm', '&&', undefined],
    ]);
    const install = run1!.shell![1]!;
    assert.ok(hasFlag(install, '-y'));
    assert.ok(hasFlag(install, '--no-install-recommends'));
    assert.deepEqual(operands(install), ['install', 'curl']);
    assert.deepEqual(run2!.heredocs.map((h) => h.name), ['EOF']);
    assert.deepEqual(run2!.shell!.map((c) => [program(c), c.after]), [['set', undefined], ['curl', '|'], ['sh', undefined]]);
  });

  test('an exec-form RUN of sh -c parses the script; quotes and comments are the lexer\'s business', () => {
    const m = parseDockerfile('FROM alpine:3\nRUN ["/bin/sh", "-c", "apk add --no-cache curl && echo \'a && b\' # done"]\n', 'Dockerfile');
    const run = m.stages[0]!.instructions[1]!;
    assert.deepEqual(run.shell!.map((c) => c.argv), [['apk', 'add', '--no-cache', 'curl'], ['echo', 'a && b']]);
  });

  test('the shell lexer keeps leading assignments apart and looks through sudo', () => {
    const [c] = parseShell('DEBIAN_FRONTEND=noninteractive sudo -E apt-get install -y tzdata');
    assert.deepEqual(c!.assignments, { DEBIAN_FRONTEND: 'noninteractive' });
    assert.equal(program(c!), 'apt-get');
  });

  test('garbage never throws', () => {
    for (const text of ['', 'FROM', 'RUN echo "unclosed', 'FROM a AS\nCOPY --from= x\nRUN <<EOF\n', '\\\n\\\n']) {
      assert.doesNotThrow(() => parseDockerfile(text, 'Dockerfile'));
    }
  });
});
