import type { Instruction } from '../../../dockerfile/model.js';
import type { DockerfileRule } from '../../rule.js';
import { commands, finalChain, posixShell, windowsImage } from './_shared.js';

/**
 * Shell-form CMD/ENTRYPOINT run as `/bin/sh -c "…"`: the shell is PID 1 (or the app's parent) and
 * does not forward SIGTERM, so `docker stop`/`podman stop` waits out the timeout and kills the app.
 * A shell-form ENTRYPOINT also ignores CMD and the arguments of `docker run`.
 */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'exec-form-cmd',
    title: 'CMD and ENTRYPOINT use the exec (JSON) form',
    category: 'architecture',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    const stages = finalChain(ctx.dockerfile);
    if (stages.some((s) => windowsImage(s.from.text) || s.instructions.some((i) => i.keyword === 'SHELL' && i.json && !posixShell(i.json)))) return ctx.skip();
    // the CMD and ENTRYPOINT the final image ends up with
    let cmd: Instruction | undefined;
    let entrypoint: Instruction | undefined;
    for (const s of stages) {
      for (const i of s.instructions) {
        if (i.onbuild) continue;
        if (i.keyword === 'CMD') cmd = i;
        if (i.keyword === 'ENTRYPOINT') {
          entrypoint = i;
          if (cmd && !s.instructions.includes(cmd)) cmd = undefined; // an ENTRYPOINT resets the CMD a parent stage set
        }
      }
    }
    if (!cmd && !entrypoint) return ctx.skip();
    for (const i of [entrypoint, cmd]) {
      if (!i || i.json) continue;
      if (i === cmd && entrypoint && !entrypoint.json) continue; // ignored anyway behind a shell-form ENTRYPOINT
      const first = commands(i)[0];
      if (!first || first.argv[0] === 'exec') continue; // `exec app`: the shell replaces itself with the app
      const simple = i.shell?.length === 1 && !/[$`'"\\|&;<>*?(){}~]/.test(i.value);
      const json = simple ? `${i.keyword} [${first.raw.argv.map((a) => JSON.stringify(a)).join(', ')}]` : undefined;
      ctx.report({
        span: i.keywordSpan,
        message:
          `${i.keyword} in shell form runs under /bin/sh -c: the shell, not ${first.prog ? `"${first.prog}"` : 'the app'}, receives SIGTERM and does not pass it on, so stopping the container waits for the timeout and kills the app` +
          (i.keyword === 'ENTRYPOINT' ? '; a shell-form ENTRYPOINT also ignores CMD and run arguments' : '') +
          (json ? `; write ${json}` : '; use the JSON form (or start the command with exec)'),
      });
    }
  },
  cases: {
    valid: [
      { code: 'FROM node:20\nCMD ["node", "server.js"]\n' },
      { name: 'exec in a shell form', code: 'FROM node:20\nENTRYPOINT ["tini", "--"]\nCMD exec node server.js\n' },
      { name: 'overridden by a later stage', code: 'FROM node:20 AS base\nCMD node server.js\nFROM base\nCMD ["node", "worker.js"]\n' },
      { name: 'builder stage', code: 'FROM golang:1.22 AS build\nCMD go test ./...\nFROM alpine:3.20\nCOPY --from=build /out /app\nENTRYPOINT ["/app"]\n' },
    ],
    invalid: [
      {
        code: 'FROM eclipse-temurin:21\nCOPY app.jar /app.jar\nCMD java -jar /app.jar\n',
        errors: [{ line: 3, column: 1, message: /not "java".*write CMD \["java", "-jar", "\/app.jar"\]/ }],
      },
      {
        name: 'shell-form ENTRYPOINT in the base stage',
        code: 'FROM python:3.12 AS base\nENTRYPOINT python -m app "$PORT"\nFROM base\nRUN true\n',
        errors: [{ line: 2, column: 1, message: /ignores CMD and run arguments; use the JSON form/ }],
      },
    ],
  },
};
