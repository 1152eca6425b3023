import { distance } from 'fastest-levenshtein';
import type { Stage } from '../../../dockerfile/model.js';
import type { DockerfileRule } from '../../rule.js';
import { spanOf } from '../_spans.js';
import { mountOptions } from './_shared.js';

/**
 * Stage names and `--from` references must resolve: a duplicate name, a stage copying from itself
 * or from a later stage, or a misspelt stage name (which Docker then pulls as an image) break the build
 * or, worse, build something else.
 */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'stage-references',
    title: 'Stage names and --from references resolve',
    category: 'architecture',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    const df = ctx.dockerfile;
    let looked = false;
    // duplicate names
    const byName = new Map<string, Stage>();
    for (const stage of df.stages) {
      if (!stage.name) continue;
      looked = true;
      const first = byName.get(stage.name);
      if (!first) {
        byName.set(stage.name, stage);
        continue;
      }
      const from = stage.instructions[0]!;
      const written = ctx.text.slice(from.span.offset, from.span.endOffset);
      const at = written.toLowerCase().lastIndexOf(stage.name);
      ctx.report({
        span: at >= 0 ? spanOf(ctx, from.span.offset! + at, from.span.offset! + at + stage.name.length) : from.keywordSpan,
        message: `stage name "${stage.name}" is already used by the stage on line ${first.span.line}: names must be unique, and --from=${stage.name} would be ambiguous`,
      });
    }
    // --from references
    for (const stage of df.stages) {
      for (const instr of stage.instructions) {
        if (instr.onbuild) continue;
        const refs: { ref: string; span: typeof instr.span }[] = [];
        if (instr.keyword === 'COPY') for (const f of instr.flags) if (f.name === 'from' && f.value) refs.push({ ref: f.value, span: f.span });
        if (instr.keyword === 'RUN') {
          for (const f of instr.flags) {
            const from = f.name === 'mount' && f.value ? mountOptions(f.value).get('from') : undefined;
            if (from) refs.push({ ref: from, span: f.span });
          }
        }
        for (const { ref, span } of refs) {
          looked = true;
          const problem = check(df.stages, stage, ref);
          if (problem) ctx.report({ span, message: `--from=${ref}: ${problem}` });
        }
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM golang:1.22 AS build\nRUN go build -o /app\nFROM alpine:3.20\nCOPY --from=build /app /app\nCOPY --from=0 /etc/ssl /etc/ssl\n' },
      { name: 'images', code: 'FROM alpine:3.20\nCOPY --from=busybox:1.36 /bin/busybox /bin/\nCOPY --from=ghcr.io/org/tools /x /x\nCOPY --from=nginx /etc/nginx /etc/nginx\n' },
      { name: 'variables and mounts', code: 'ARG SRC=build\nFROM alpine:3.20 AS build\nFROM alpine:3.20\nCOPY --from=${SRC} /a /a\nRUN --mount=type=bind,from=build,target=/src ls /src\n' },
    ],
    invalid: [
      {
        code: 'FROM node:20 AS deps\nFROM node:20 AS Deps\nFROM node:20\nCOPY --from=dpes /app/node_modules ./node_modules\n',
        errors: [
          { line: 2, column: 17, message: /"deps" is already used by the stage on line 1/ },
          { line: 4, column: 6, message: /names no stage; did you mean "deps"/ },
        ],
      },
      {
        name: 'self, later and out-of-range references',
        code: 'FROM alpine:3.20 AS a\nCOPY --from=a /x /y\nCOPY --from=b /x /y\nFROM alpine:3.20 AS b\nCOPY --from=5 /x /y\nRUN --mount=from=1,target=/m true\n',
        errors: [
          { line: 2, column: 6, message: /copies from its own stage/ },
          { line: 3, column: 6, message: /defined later \(line 4\)/ },
          { line: 5, column: 6, message: /no stage 5/ },
          { line: 6, column: 5, message: /copies from its own stage/ },
        ],
      },
    ],
  },
};

/** Official images copied from by bare name (`COPY --from=busybox`), never taken for misspelt stages. */
const COMMON_IMAGES = new Set(['node', 'nginx', 'alpine', 'busybox', 'debian', 'ubuntu', 'golang', 'python', 'rust', 'php', 'ruby', 'docker', 'caddy', 'traefik', 'composer', 'redis', 'postgres', 'httpd', 'centos', 'fedora', 'scratch']);

function check(stages: Stage[], current: Stage, ref: string): string | undefined {
  if (/[$]/.test(ref)) return undefined; // a build argument: cannot tell
  if (/^\d+$/.test(ref)) {
    const n = Number(ref);
    if (n === current.index) return 'the stage copies from its own stage, which is not built yet';
    if (n >= stages.length) return `there is no stage ${n} (stages are numbered 0-${stages.length - 1})`;
    if (n > current.index) return `stage ${n} is defined later (line ${stages[n]!.span.line}); only earlier stages can be copied from`;
    return undefined;
  }
  const lower = ref.toLowerCase();
  const named = stages.find((s) => s.name === lower);
  if (named === current) return 'the stage copies from its own stage, which is not built yet';
  if (named && named.index > current.index) return `stage "${named.name}" is defined later (line ${named.span.line}); only earlier stages can be copied from`;
  if (named) return undefined;
  if (/[:/@.]/.test(ref)) return undefined; // an image reference
  // a bare word that is no stage is pulled as an image: report it when it looks like a misspelt stage name
  if (COMMON_IMAGES.has(lower)) return undefined;
  const near = stages.filter((s) => s.name && s.index < current.index && distance(s.name, lower) <= (s.name.length >= 4 ? 2 : 1));
  if (near.length === 0) return undefined;
  return `names no stage; did you mean "${near[0]!.name}"? As written, Docker pulls an image called "${ref}"`;
}
