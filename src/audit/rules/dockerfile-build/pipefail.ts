import type { Instruction } from '../../../dockerfile/model.js';
import type { DockerfileRule } from '../../rule.js';
import { spanOf } from '../_spans.js';
import { chain, commands, has, locate, runs, type Cmd } from './_shared.js';

/** Producers that cannot fail: a pipe from them loses nothing without pipefail. */
const INFALLIBLE = new Set(['echo', 'printf', 'yes', 'true']);

/**
 * Without pipefail a pipeline's status is its last command's: `curl … | tar x` or `curl … | sh`
 * "succeeds" when the download failed, and the build goes on with a broken layer.
 */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'pipefail',
    title: 'Pipes in RUN fail when any command fails',
    category: 'architecture',
    severity: 'low',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of ctx.dockerfile.stages) {
      let shell: string[] | undefined; // the SHELL in effect (inherited from the stages it is built on)
      const posix = new Set(runs(stage)); // RUNs a POSIX shell runs
      for (const s of chain(stage)) {
        for (const instr of s.instructions) {
          if (instr.onbuild) continue;
          if (instr.keyword === 'SHELL' && instr.json) shell = instr.json;
          if (!posix.has(instr)) continue;
          const cmds = commands(instr);
          const pipe = brokenPipe(cmds);
          if (pipe === undefined) {
            if (cmds.some((c) => c.raw.before === '|' || c.raw.before === '|&')) looked = true;
            continue;
          }
          looked = true;
          if (shell && pipefailOption(shell)) continue;
          if (instr.json && pipefailOption(instr.json)) continue;
          const setAt = cmds.findIndex((c) => c.prog === 'set' && setsPipefail(c));
          if (setAt >= 0 && setAt < pipe) continue;
          ctx.report({ span: pipeSpan(ctx, instr, pipe), message: `a pipe in this RUN without pipefail: if "${cmds[pipe - 1]!.prog ?? 'the first command'}" fails, the RUN still succeeds when "${cmds[pipe]!.prog ?? 'the last command'}" does; add SHELL ["/bin/bash", "-o", "pipefail", "-c"] before it (or "set -o pipefail &&" where /bin/sh supports it)` });
        }
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl -fsSL https://example.org/x.tgz | tar xz\n' },
      { name: 'set -o pipefail first', code: 'FROM alpine:3.20\nRUN set -euo pipefail; wget -qO- https://example.org/x.tgz | tar xz\n' },
      { name: 'echo into a command', code: 'FROM debian:12\nRUN echo "deb http://deb.debian.org/debian bookworm-backports main" | tee /etc/apt/sources.list.d/bp.list\n' },
      { name: 'SHELL inherited from the base stage; || is not a pipe', code: 'FROM debian:12 AS base\nSHELL ["/bin/bash", "-eo", "pipefail", "-c"]\nFROM base\nRUN curl -f x | sh\nRUN test -f x || exit 1\n' },
      { name: 'case patterns are not pipes', code: 'FROM alpine:3.20\nRUN case "$(apk --print-arch)" in \\\n      x86_64) a=amd64 ;; \\\n      ppc64el|ppc64le) a=ppc64le ;; \\\n    esac\n' },
      { name: 'PowerShell', code: 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nRUN Get-Content x | Out-File y\n' },
      { name: 'exec form with bash -o pipefail', code: 'FROM debian:12\nRUN ["/bin/bash", "-o", "pipefail", "-c", "curl -f x | sh"]\n' },
    ],
    invalid: [
      {
        code: 'FROM debian:12\nRUN curl -fsSL https://example.org/install.sh \\\n    | sh\n',
        errors: [{ line: 3, column: 5, message: /if "curl" fails, the RUN still succeeds when "sh" does/ }],
      },
      {
        name: 'pipefail set after the pipe; SHELL reset',
        code: 'FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nSHELL ["/bin/sh", "-c"]\nRUN wget -O- x | tar x && set -o pipefail\n',
        errors: [{ line: 4, column: 16 }],
      },
    ],
  },
};

/** Index of the first command fed by a pipe whose producers can fail. */
function brokenPipe(cmds: Cmd[]): number | undefined {
  const hasCase = cmds.some((c) => c.argv[0] === 'case');
  for (let i = 1; i < cmds.length; i++) {
    const c = cmds[i]!;
    if (c.raw.before !== '|' && c.raw.before !== '|&') continue;
    if (hasCase && c.raw.after === ')') continue; // `ppc64el|ppc64le)`: alternatives of a case pattern, not a pipe
    // the producers: the commands of this pipeline before c
    let j = i - 1;
    while (j > 0 && (cmds[j]!.raw.before === '|' || cmds[j]!.raw.before === '|&')) j--;
    if (cmds.slice(j, i).every((p) => INFALLIBLE.has(p.prog ?? ''))) continue;
    return i;
  }
  return undefined;
}

/** `set -o pipefail`, `set -eo pipefail`, `set -euxo pipefail`. */
function setsPipefail(c: Cmd): boolean {
  const i = c.args.indexOf('pipefail');
  return i > 0 && /^-[a-zA-Z]*o$/.test(c.args[i - 1]!);
}

/** A SHELL or exec-form RUN array with `-o pipefail` before `-c`. */
function pipefailOption(argv: string[]): boolean {
  const i = argv.indexOf('pipefail');
  return i > 0 && /^-[a-zA-Z]*o$/.test(argv[i - 1]!) && has(argv.slice(1), '-o');
}

function pipeSpan(ctx: { text: string; file: string; dockerfile: Parameters<typeof locate>[1] }, instr: Instruction, cmdIndex: number) {
  const loc = locate(ctx.text, ctx.dockerfile, instr);
  const positions = loc?.commands;
  // the pipe operator between the producer and the consumer
  const prev = positions?.[cmdIndex - 1]?.filter((p) => p.offset >= 0).pop();
  const next = positions?.[cmdIndex]?.find((p) => p.offset >= 0);
  if (loc && prev && next) {
    const op = loc.operators.find((o) => o.offset >= prev.end && o.end <= next.offset && (o.value === '|' || o.value === '|&'));
    if (op) return spanOf(ctx, op.offset, op.end);
  }
  return instr.keywordSpan;
}
