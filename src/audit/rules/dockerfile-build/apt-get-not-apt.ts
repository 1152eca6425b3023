import { fix } from '../../fix-helpers.js';
import type { DockerfileRule, TextEdit } from '../../rule.js';
import { commandSpan, commands, locate, pkgCommand, runs, wordPos } from './_shared.js';

/** Verbs where `apt-get` does exactly what `apt` does, so the word can be swapped safely. */
const SAME_VERBS = new Set(['install', 'update', 'remove', 'purge', 'autoremove', 'clean', 'autoclean', 'dist-upgrade', 'build-dep', 'source', 'download']);

/** `apt` is the interactive front end; its output and behaviour are not a stable interface for scripts. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'apt-get-not-apt',
    title: 'Scripts use apt-get, not apt',
    category: 'architecture',
    severity: 'low',
    fixable: 'safe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of ctx.dockerfile.stages) {
      for (const instr of runs(stage)) {
        const cmds = commands(instr).filter((c) => c.prog === 'apt');
        if (cmds.length === 0) continue;
        looked = true;
        const loc = locate(ctx.text, ctx.dockerfile, instr);
        const edits: TextEdit[] = [];
        const verbs: string[] = [];
        for (const cmd of cmds) {
          const verb = pkgCommand(cmd)?.verb;
          verbs.push(`"apt${verb ? ' ' + verb : ''}"`);
          const word = wordPos(loc, cmd, cmd.progAt);
          if (verb !== undefined && SAME_VERBS.has(verb) && word && ctx.text.slice(word.offset, word.end) === 'apt') edits.push({ offset: word.offset, end: word.end, text: 'apt-get' });
        }
        const upgrade = cmds.some((c) => pkgCommand(c)?.verb === 'upgrade');
        // one finding per RUN, at its first apt command
        ctx.report({
          span: commandSpan(ctx, loc, instr, cmds[0]!),
          message: `${[...new Set(verbs)].join(', ')} in a RUN: apt is meant for people at a terminal (its CLI is not stable and it warns so in scripts); use apt-get${upgrade ? ' (note: apt upgrade also installs new dependencies, like apt-get upgrade --with-new-pkgs)' : ''}`,
          ...(edits.length ? { fix: fix('Use apt-get instead of apt', ...edits) } : {}),
        });
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\n' },
      { name: 'apt-cache and apt-mark are other tools', code: 'FROM debian:12\nRUN apt-cache policy curl && apt-mark hold curl\n' },
      { name: 'apt as an argument', code: 'FROM debian:12\nRUN echo apt install && ls /etc/apt\n' },
    ],
    invalid: [
      {
        code: 'FROM debian:12\n# packages\nRUN apt update && \\\n    apt install -y curl # the client\n',
        errors: [{ line: 3, column: 5, message: /^"apt update", "apt install" in a RUN/ }],
        output: 'FROM debian:12\n# packages\nRUN apt-get update && \\\n    apt-get install -y curl # the client\n',
      },
      {
        name: 'upgrade and list differ from apt-get: no fix',
        code: 'FROM ubuntu:24.04\nRUN apt upgrade -y && apt list --installed\n',
        errors: [{ line: 2, column: 5, message: /"apt upgrade", "apt list".*with-new-pkgs/ }],
      },
      {
        name: 'sudo and a final stage',
        code: 'FROM ubuntu:24.04 AS build\nRUN true\nFROM ubuntu:24.04\nRUN sudo apt remove -y vim\n',
        errors: [{ line: 4, column: 10 }],
        output: 'FROM ubuntu:24.04 AS build\nRUN true\nFROM ubuntu:24.04\nRUN sudo apt-get remove -y vim\n',
      },
    ],
  },
};
