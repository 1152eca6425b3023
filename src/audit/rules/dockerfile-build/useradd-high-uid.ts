import { fix, insertAt } from '../../fix-helpers.js';
import type { DockerfileRule } from '../../rule.js';
import { commandSpan, commands, has, locate, runs, wordPos } from './_shared.js';

/**
 * useradd writes the user's entry into the sparse /var/log/lastlog and faillog at offset UID × record
 * size; image layers do not keep files sparse, so a UID like 100000000 adds gigabytes of zeros.
 * `-l` (--no-log-init) skips those files.
 */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'useradd-high-uid',
    title: 'useradd with a high UID skips the lastlog (-l)',
    category: 'architecture',
    severity: 'low',
    fixable: 'safe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of ctx.dockerfile.stages) {
      for (const instr of runs(stage)) {
        for (const cmd of commands(instr)) {
          if (cmd.prog !== 'useradd') continue;
          const uid = uidOf(cmd.args);
          if (uid === undefined) continue; // no UID or a variable: the system picks a small one, or cannot tell
          looked = true;
          if (uid <= 65535 || has(cmd.args, '-l', '--no-log-init')) continue;
          const loc = locate(ctx.text, ctx.dockerfile, instr);
          const word = wordPos(loc, cmd, cmd.progAt);
          const exact = word && ctx.text.slice(word.offset, word.end).endsWith('useradd');
          ctx.report({
            span: commandSpan(ctx, loc, instr, cmd),
            message: `useradd with UID ${uid} and without -l: /var/log/lastlog and faillog grow to about ${size(uid)} of zeros in the layer; add -l (--no-log-init)`,
            ...(exact ? { fix: fix('Add -l to useradd', insertAt(word.end, ' -l')) } : {}),
          });
        }
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM debian:12\nRUN useradd -u 1000 app\n' },
      { name: 'with -l, a variable, no uid', code: 'FROM debian:12\nRUN useradd -l -u 100000 a && useradd --uid "$UID" b && useradd c\n' },
    ],
    invalid: [
      {
        code: 'FROM debian:12\n# service account\nRUN groupadd -g 100000 app && \\\n    useradd --uid=100000 -g app -m app\n',
        errors: [{ line: 4, column: 5, message: /UID 100000 and without -l/ }],
        output: 'FROM debian:12\n# service account\nRUN groupadd -g 100000 app && \\\n    useradd -l --uid=100000 -g app -m app\n',
      },
      {
        name: 'sudo, a later stage',
        code: 'FROM debian:12 AS a\nFROM debian:12\nRUN sudo /usr/sbin/useradd -r -u 999999 svc\n',
        errors: [{ line: 3, column: 10, message: /UID 999999/ }],
        output: 'FROM debian:12 AS a\nFROM debian:12\nRUN sudo /usr/sbin/useradd -l -r -u 999999 svc\n',
      },
    ],
  },
};

function uidOf(args: string[]): number | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    let v: string | undefined;
    if (a === '-u' || a === '--uid') v = args[i + 1];
    else if (a.startsWith('--uid=')) v = a.slice(6);
    else if (/^-u\d+$/.test(a)) v = a.slice(2);
    if (v !== undefined) return /^\d+$/.test(v) ? Number(v) : undefined;
  }
  return undefined;
}

function size(uid: number): string {
  const bytes = uid * 292;
  return bytes >= 1e9 ? `${Math.round(bytes / 1e9)} GB` : `${Math.round(bytes / 1e6)} MB`;
}
