import { fix, removeLines } from '../../fix-helpers.js';
import type { ComposeRule } from '../../rule.js';

/** The top-level `version:` is obsolete: Compose ignores it and warns, and readers think it matters. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'obsolete-version',
    title: 'No obsolete top-level version key',
    category: 'orchestration',
    severity: 'low',
    fixable: 'safe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  file(ctx) {
    const entry = ctx.root?.entries.find((e) => e.key === 'version');
    if (!entry) return;
    ctx.report({
      span: entry.keySpan,
      message: '"version" is obsolete: the Compose Specification ignores it and Compose warns about it',
      fix: fix('Remove the version line', removeLines(ctx.text, { ...entry.keySpan, endOffset: entry.value.span.endOffset ?? entry.keySpan.endOffset })),
    });
  },
  cases: {
    valid: [{ code: 'services:\n  web:\n    image: nginx:1.27\n' }],
    invalid: [
      {
        code: '# my app\nversion: "3.8"\n\nservices:\n  web:\n    image: nginx:1.27\n',
        errors: [{ line: 2, column: 1, message: /obsolete/ }],
        output: '# my app\n\nservices:\n  web:\n    image: nginx:1.27\n',
      },
    ],
  },
};
