import type { Span } from '../../../diagnostics/span.js';
import { entry, map, seq, type LEntry, type LNode } from '../../../source/tree.js';
import { addToMapping, addToSequence, fix, indentAt } from '../../fix-helpers.js';
import type { ComposeRule, ComposeServiceContext, TextEdit } from '../../rule.js';
import { within } from '../_spans.js';
import { goFirst, goLast } from './_shared.js';

const KEY = 'io.containers.autoupdate';
/** The policies `podman auto-update` knows ("image" is the old name of "registry"; "disabled" and "" opt out explicitly). */
const POLICIES = new Set(['registry', 'image', 'local', 'disabled', '']);

/** The last of the nodes written inside `outer` (merge keys bring entries from elsewhere). */
function lastInside<T extends { span: Span }>(items: T[], outer: Span): T | undefined {
  return items.filter((i) => within(i.span, outer)).sort((a, b) => (a.span.offset ?? 0) - (b.span.offset ?? 0)).pop();
}

/** The edit adding the label, or undefined where no minimal edit is safe (flow style, anchors, other files). */
function addLabel(ctx: ComposeServiceContext): TextEdit | undefined {
  const { text, service } = ctx;
  const own = service.node.span;
  if (own.file !== ctx.file || text[own.offset ?? 0] === '{') return undefined;
  const labels: LNode | undefined = entry(service.node, 'labels')?.value;
  if (labels === undefined) {
    const lastEntry = lastInside(service.node.entries.map((e) => ({ ...e, span: e.keySpan })), own);
    if (!lastEntry) return undefined;
    const step = Math.max(indentAt(text, lastEntry.keySpan.offset ?? 0).length - indentAt(text, service.span.offset ?? 0).length, 2);
    return goLast(text, addToMapping(text, map([lastEntry as LEntry], own), `labels:\n${' '.repeat(step)}- ${KEY}=registry`));
  }
  if (labels.kind !== 'map' || !within(labels.span, own)) return undefined;
  const first = text[labels.span.offset ?? 0];
  if (first === '-') {
    // Written as a list: the canonical mapping keeps each item's span as its value's span.
    const item = lastInside(labels.entries.map((e) => e.value), labels.span);
    return item ? goFirst(text, addToSequence(text, seq([item], labels.span), `${KEY}=registry`)) : undefined;
  }
  if (first === '{' || first === '[') return undefined;
  const label = lastInside(labels.entries.map((e) => ({ ...e, span: e.keySpan })), labels.span);
  return label ? goFirst(text, addToMapping(text, map([label as LEntry], labels.span), `${KEY}: registry`)) : undefined;
}

/** Seed 004: every container carries io.containers.autoupdate, so `podman auto-update` keeps it current. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'autoupdate-label',
    title: 'Containers opt in to podman auto-update',
    category: 'automation',
    severity: 'low',
    fixable: 'unsafe',
    profiles: ['rootless-podman'],
  },
  service(ctx) {
    const { service } = ctx;
    // A locally built image has no registry to update from.
    if (service.config.build !== undefined || typeof service.config.image !== 'string') return ctx.skip();
    const labelsEntry = entry(service.node, 'labels');
    const value = service.config.labels[KEY];
    if (value !== undefined) {
      const label = labelsEntry?.value.kind === 'map' ? entry(labelsEntry.value, KEY) : undefined;
      const span = label?.value.span ?? labelsEntry?.keySpan ?? service.span;
      if (span.file === ctx.file && ctx.unsetIn(span).length) return ctx.skip();
      if (POLICIES.has(value === null ? '' : String(value).trim())) return;
      ctx.report({ span, message: `service "${service.name}" sets ${KEY} to "${value}", which podman auto-update does not know: use registry or local` });
      return;
    }
    const edit = addLabel(ctx);
    ctx.report({
      span: labelsEntry?.keySpan ?? service.span,
      message: `service "${service.name}" has no ${KEY} label, so podman auto-update never updates it (seed 004 labels every container)`,
      ...(edit ? { fix: fix(`Add the label ${KEY}=registry`, edit) } : {}),
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    labels:\n      - io.containers.autoupdate=registry\n' },
      { name: 'mapping form, local policy', code: 'services:\n  web:\n    image: localhost/web:1\n    labels:\n      io.containers.autoupdate: local\n' },
      { name: 'built locally: no registry to update from', code: 'services:\n  app:\n    build: .\n' },
      { name: 'from an anchor', code: 'x-auto: &auto\n  labels: [io.containers.autoupdate=registry]\nservices:\n  a:\n    <<: *auto\n    image: docker.io/library/redis:7\n' },
    ],
    invalid: [
      {
        name: 'list form, map form, no labels at all (comments kept)',
        code:
          'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    labels:\n      - traefik.enable=true # routed\n    # end of web\n  db:\n    image: docker.io/library/postgres:16\n    labels:\n      com.example.tier: data\n  cache:\n    image: docker.io/library/redis:7 # cache\n\n',
        errors: [
          { line: 4, column: 5, message: /service "web" has no io\.containers\.autoupdate label/ },
          { line: 9, column: 5, message: /service "db"/ },
          { line: 11, column: 3, message: /service "cache"/ },
        ],
        output:
          'services:\n  web:\n    image: docker.io/library/nginx:1.27\n    labels:\n      - traefik.enable=true # routed\n      - io.containers.autoupdate=registry\n    # end of web\n  db:\n    image: docker.io/library/postgres:16\n    labels:\n      com.example.tier: data\n      io.containers.autoupdate: registry\n  cache:\n    image: docker.io/library/redis:7 # cache\n    labels:\n      - io.containers.autoupdate=registry\n\n',
      },
      {
        name: 'flow labels and anchored labels: reported without a fix; unknown policy',
        code:
          'x-l: &l\n  labels:\n    - a=b\nservices:\n  a:\n    image: docker.io/library/redis:7\n    labels: {a: b}\n  b:\n    <<: *l\n    image: docker.io/library/redis:7\n  c:\n    image: docker.io/library/redis:7\n    labels: [io.containers.autoupdate=yes]\n',
        errors: [
          { line: 2, column: 3, message: /service "b" has no/ },
          { line: 7, column: 5, message: /service "a" has no/ },
          { line: 13, column: 14, message: /to "yes", which podman auto-update does not know/ },
        ],
      },
    ],
  },
};
