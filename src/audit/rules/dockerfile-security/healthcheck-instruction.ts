import { fix, removeLines } from '../../fix-helpers.js';
import type { DockerfileRule } from '../../rule.js';
import { lineage } from '../_stages.js';

/** The final stage declares no HEALTHCHECK; and a stage with several, where only the last counts. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'healthcheck-instruction',
    title: 'The image declares a health check',
    category: 'monitoring',
    severity: 'low',
    fixable: 'safe',
    profiles: ['strict'],
  },
  check(ctx) {
    for (const stage of ctx.dockerfile.stages) {
      const checks = stage.instructions.filter((i) => i.keyword === 'HEALTHCHECK' && !i.onbuild);
      const last = checks[checks.length - 1];
      for (const h of checks.slice(0, -1)) {
        ctx.report({
          span: h.keywordSpan,
          message: `stage ${stage.name ? `"${stage.name}"` : stage.index + 1} has ${checks.length} HEALTHCHECK instructions and only the last one (line ${last!.span.line}) counts: this one is dead code (hadolint DL3012)`,
          fix: fix('Remove the overridden HEALTHCHECK', removeLines(ctx.text, h.span)),
        });
      }
    }
    const final = ctx.finalStage;
    if (!final) return ctx.skip();
    const stages = lineage(final);
    const instrs = stages.flatMap((s) => s.instructions.filter((i) => !i.onbuild));
    if (instrs.some((i) => i.keyword === 'HEALTHCHECK')) return;
    const base = stages[stages.length - 1]!.from;
    if (base.unresolved.length) return ctx.skip(); // the base may declare one
    // Not a service: a base or tool image without its own CMD, ENTRYPOINT or EXPOSE.
    if (!instrs.some((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT' || i.keyword === 'EXPOSE')) return ctx.skip();
    ctx.report({
      span: final.from.span,
      message: `${final.name ? `final stage "${final.name}"` : 'the final stage'} declares no HEALTHCHECK: the runtime cannot tell a hung service from a healthy one, and depends_on with condition service_healthy cannot wait for it. Add HEALTHCHECK CMD <probe> (or a healthcheck in the compose file)`,
    });
  },
  cases: {
    valid: [
      { code: 'FROM nginx:1.27\nEXPOSE 80\nHEALTHCHECK --interval=30s CMD curl -fsS http://localhost/ || exit 1\n' },
      { name: 'inherited from an earlier stage', code: 'FROM node:20 AS base\nHEALTHCHECK CMD ["node", "healthcheck.js"]\nFROM base\nCMD ["node", "server.js"]\n' },
      { name: 'explicitly none', code: 'FROM alpine:3.20\nHEALTHCHECK NONE\nCMD ["sh"]\n' },
      { name: 'not a service: no CMD, ENTRYPOINT or EXPOSE', code: 'FROM golang:1.22 AS build\nRUN go build -o /out/app\nFROM scratch\nCOPY --from=build /out/app /app\n' },
    ],
    invalid: [
      {
        name: 'a service without a health check',
        code: 'FROM python:3.12-slim AS app\nEXPOSE 8000\nCMD ["gunicorn", "app:app"]\n',
        errors: [{ line: 1, column: 6, message: /^final stage "app" declares no HEALTHCHECK/ }],
      },
      {
        name: 'two health checks in a stage',
        code: 'FROM nginx:1.27\n# probe the root page\nHEALTHCHECK CMD curl -f http://localhost/ \\\n  || exit 1\n# probe the status page\nHEALTHCHECK --interval=10s CMD curl -f http://localhost/status\nEXPOSE 80\n',
        errors: [{ line: 3, column: 1, message: /has 2 HEALTHCHECK instructions and only the last one \(line 6\) counts/ }],
        output: 'FROM nginx:1.27\n# probe the root page\n# probe the status page\nHEALTHCHECK --interval=10s CMD curl -f http://localhost/status\nEXPOSE 80\n',
      },
    ],
  },
};
