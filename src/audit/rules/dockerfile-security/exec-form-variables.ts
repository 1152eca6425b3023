import type { Instruction, Stage } from '../../../dockerfile/model.js';
import type { DockerfileRule } from '../../rule.js';
import { spanOf } from '../_spans.js';
import { lineage } from '../_stages.js';
import { isShell, jsonWords } from './_shared.js';

/** Shell syntax that only a shell expands: $VAR, ${VAR}, $(cmd), `cmd`. */
const SHELL_SYNTAX = /\$\{[A-Za-z_][^}]*\}|\$\(|\$[A-Za-z_][A-Za-z0-9_]*|`[^`]+`/;

function base(p: string): string {
  return p
    .slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1)
    .toLowerCase()
    .replace(/\.exe$/, '');
}

/** Index of the first word a shell evaluates (`sh -c`, `bash -lc`, powershell, cmd /c), or -1. */
export function shellStart(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const b = base(argv[i]!);
    if (b === 'powershell' || b === 'pwsh' || b === 'cmd') return i;
    if (!isShell(b)) continue;
    for (let j = i + 1; j < argv.length && argv[j]!.startsWith('-'); j++) {
      if (/^-[A-Za-z]*c[A-Za-z]*$/.test(argv[j]!)) return i;
    }
  }
  return -1;
}

/** The exec-form words of RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD. */
function execWords(instr: Instruction): string[] | undefined {
  if (instr.json) return instr.json;
  if (instr.keyword !== 'HEALTHCHECK') return undefined;
  const m = /^CMD\s+(\[[\s\S]*\])\s*$/i.exec(instr.value.trim());
  if (!m) return undefined;
  try {
    const j = JSON.parse(m[1]!) as unknown;
    return Array.isArray(j) && j.every((x) => typeof x === 'string') ? (j as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** The ENTRYPOINT in effect for a stage (its own or inherited), in exec form. */
function entrypointOf(stage: Stage): string[] | undefined {
  for (const s of lineage(stage)) {
    const eps = s.instructions.filter((i) => i.keyword === 'ENTRYPOINT');
    if (eps.length) return eps[eps.length - 1]!.json;
  }
  return undefined;
}

/** Exec-form (JSON) instructions with $VAR, ${VAR}, $(...) or backticks, where no shell runs to expand them. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'exec-form-variables',
    title: 'Exec-form commands contain no shell syntax',
    category: 'architecture',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of ctx.dockerfile.stages) {
      for (const instr of stage.instructions) {
        const words = execWords(instr);
        if (!words) continue;
        looked = true;
        let checked = words;
        if (instr.keyword === 'CMD') {
          // CMD words are appended to an exec-form ENTRYPOINT: ["sh", "-c"] makes CMD the script
          const ep = entrypointOf(stage);
          if (ep && shellStart([...ep, ...words]) >= 0 && shellStart([...ep, ...words]) < ep.length) continue;
        }
        const start = shellStart(checked);
        if (start >= 0) checked = checked.slice(0, start);
        const what = instr.keyword === 'HEALTHCHECK' ? 'HEALTHCHECK CMD' : instr.keyword;
        for (const { word: w, offset, end } of jsonWords(ctx, instr, checked)) {
          const m = SHELL_SYNTAX.exec(w);
          if (!m) continue;
          // Spring and other JVM frameworks resolve ${...} placeholders in their own options
          if (base(checked[0] ?? '') === 'java' && /^(-D|--)[\w.-]+=/.test(w) && m[0].startsWith('${')) continue;
          const inside = offset >= 0 ? ctx.text.indexOf(m[0], offset) : -1;
          const span = inside >= 0 && inside < end ? spanOf(ctx, inside, inside + m[0].length) : instr.keywordSpan;
          ctx.report({
            span,
            message: `${what} is in exec form, so no shell expands ${m[0]} in "${w}": the program gets those characters literally. Use the shell form, or run it through a shell: ["sh", "-c", "exec ..."]`,
          });
        }
      }
    }
    if (!looked) ctx.skip(); // no exec-form instruction
  },
  cases: {
    valid: [
      { name: 'plain words', code: 'FROM node:20\nCMD ["node", "server.js", "--port", "3000"]\nHEALTHCHECK CMD ["curl", "-f", "http://localhost:3000/"]\n' },
      { name: 'through a shell', code: 'FROM alpine:3.20\nRUN ["/bin/sh", "-c", "echo $HOME"]\nCMD ["tini", "--", "bash", "-lc", "exec app --port ${PORT}"]\n' },
      { name: 'shell form', code: 'FROM alpine:3.20\nCMD app --port $PORT\n' },
      { name: 'CMD as the script of a sh -c ENTRYPOINT', code: 'FROM alpine:3.20\nENTRYPOINT ["/bin/sh", "-c"]\nCMD ["exec app --port $PORT"]\n' },
      { name: 'a Spring placeholder the application resolves', code: 'FROM eclipse-temurin:21-jre\nENTRYPOINT ["java", "-Dserver.port=${PORT}", "-jar", "app.jar", "--spring.datasource.url=${DB_URL}"]\n' },
      { name: 'a regular expression ending in $', code: 'FROM alpine:3.20\nCMD ["grep", "-E", "^ok$", "/tmp/status"]\n' },
    ],
    invalid: [
      {
        name: 'variables and substitutions',
        code: 'FROM node:20\nENV PORT=3000\nCMD ["node", "server.js", "--port", "$PORT"]\nENTRYPOINT ["/app/run", "--user=${APP_USER}"]\n',
        errors: [
          { line: 3, column: 38, message: /^CMD is in exec form, so no shell expands \$PORT in "\$PORT"/ },
          { line: 4, column: 33, message: /^ENTRYPOINT is in exec form, so no shell expands \$\{APP_USER\}/ },
        ],
      },
      {
        name: 'health check and RUN, before a shell',
        code: 'FROM alpine:3.20\nHEALTHCHECK --interval=30s CMD ["wget", "-qO-", "http://localhost:$(cat /port)/health"]\nRUN ["su-exec", "$APP_UID", "sh", "-c", "echo $HOME"]\n',
        errors: [
          { line: 2, column: 67, message: /^HEALTHCHECK CMD is in exec form, so no shell expands \$\(/ },
          { line: 3, column: 18, message: /expands \$APP_UID/ },
        ],
      },
    ],
  },
};
