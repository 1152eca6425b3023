import { fix, replaceSpan } from '../../fix-helpers.js';
import type { DockerfileRule } from '../../rule.js';

/** MAINTAINER is deprecated; the OCI authors label carries the same information where tools look for it. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'maintainer-deprecated',
    title: 'Authors are declared with a LABEL, not MAINTAINER',
    category: 'documentation',
    severity: 'low',
    fixable: 'safe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of ctx.dockerfile.stages) {
      for (const instr of stage.instructions) {
        if (instr.keyword !== 'MAINTAINER' || instr.onbuild) continue;
        looked = true;
        const who = instr.value.trim();
        const written = ctx.text.slice(instr.span.offset, instr.span.endOffset);
        // one line only: a continued MAINTAINER may hold comment lines the edit would drop
        const label = `LABEL org.opencontainers.image.authors="${who.replace(/[\\"$]/g, (c) => '\\' + c)}"`;
        ctx.report({
          span: instr.keywordSpan,
          message: `MAINTAINER is deprecated: use LABEL org.opencontainers.image.authors${who ? `="${who}"` : ''}, which registries and scanners read`,
          ...(who && !written.includes('\n') ? { fix: fix('Replace MAINTAINER with the org.opencontainers.image.authors label', replaceSpan(instr.span, label)) } : {}),
        });
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM alpine:3.20\nLABEL org.opencontainers.image.authors="Jane <jane@example.org>"\n' },
      { code: 'FROM alpine:3.20\nRUN echo MAINTAINER\n' },
    ],
    invalid: [
      {
        code: '# base\nFROM alpine:3.20\n# who to ask\nMAINTAINER Jane Doe <jane@example.org> # not a comment\nRUN true\n',
        errors: [{ line: 4, column: 1, message: /MAINTAINER is deprecated/ }],
        output: '# base\nFROM alpine:3.20\n# who to ask\nLABEL org.opencontainers.image.authors="Jane Doe <jane@example.org> # not a comment"\nRUN true\n',
      },
      {
        name: 'quotes escaped',
        code: 'FROM alpine:3.20 AS a\nFROM alpine:3.20\nmaintainer "The Team" $TEAM\n',
        errors: [{ line: 3, column: 1 }],
        output: 'FROM alpine:3.20 AS a\nFROM alpine:3.20\nLABEL org.opencontainers.image.authors="\\"The Team\\" \\$TEAM"\n',
      },
    ],
  },
};
