import assert from 'node:assert/strict';
import { test } from 'node:test';
import { run } from '../src/cli/run.js';
import type { Io } from '../src/cli/io.js';
import type { CommandSpec } from '../src/cli/registry.js';
import { PLAIN } from '../src/util/style.js';

/**
 * A bug in berth cannot be caused from outside on purpose, so this one command fails by design:
 * the fault is injected, the handling under test is the real one.
 */
const broken: CommandSpec = {
  name: 'explode',
  summary: 'fails with a programming error',
  usage: 'berth explode',
  options: {},
  maxPositionals: 0,
  load: async () => ({
    run: async () => {
      const missing = undefined as unknown as { field: number };
      return missing.field;
    },
  }),
};

function capture(): { io: Io; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t), style: PLAIN, errStyle: PLAIN, cwd: process.cwd(), env: {} }, out, err };
}

test('an internal error prints one line asking for a report, exit 70, no trace', async () => {
  const c = capture();
  assert.equal(await run(['explode'], c.io, [broken]), 70);
  const text = c.err.join('');
  assert.match(text, /^internal error: Cannot read properties of undefined \(reading 'field'\)\nThis is a bug in berth .*Please report it .* with --debug\.\n$/);
  assert.doesNotMatch(text, /\n\s+at /);
});

test('--debug adds the stack trace', async () => {
  const c = capture();
  assert.equal(await run(['explode', '--debug'], c.io, [broken]), 70);
  assert.match(c.err.join(''), /TypeError: Cannot read properties of undefined[^\n]*\n\s+at /);
});
