import { get } from '../../../source/tree.js';
import { fix, replaceSpan, scalarContent } from '../../fix-helpers.js';
import type { ComposeRule } from '../../rule.js';
import { sourceSpan, splitColons, under } from './_shared.js';

/** Seed 004: host paths go through the roots (`${DATA_ROOT}/app`), so a host can keep its data elsewhere. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'hardcoded-host-path',
    title: 'Bind mounts use the root variables, not literal host paths',
    category: 'orchestration',
    severity: 'low',
    fixable: 'unsafe',
    profiles: ['rootless-podman'],
  },
  service(ctx) {
    const { service, settings } = ctx;
    const roots = Object.entries(settings.roots)
      .map(([name, value]) => [name, value.replace(/\/+$/, '')] as const)
      .filter(([, value]) => value.startsWith('/') && value !== '')
      .sort((a, b) => b[1].length - a[1].length);
    if (roots.length === 0) return ctx.skip();
    const seq = get(service.node, 'volumes');
    // Only bind mounts under a root concern this rule.
    const underRoot = service.config.volumes.some((m) => m.type === 'bind' && m.source && roots.some(([, value]) => under(m.source!, value)));
    if (seq?.kind !== 'seq' || !underRoot) return ctx.skip();
    service.config.volumes.forEach((mount, i) => {
      if (mount.type !== 'bind' || !mount.source) return;
      const root = roots.find(([, value]) => under(mount.source!, value));
      if (!root) return;
      const item = seq.items[i]!;
      // Long syntax: the source scalar has its own span; short syntax: the part before the first colon.
      const { span, long } = sourceSpan(item);
      if (span.file !== ctx.file) return ctx.skip(); // written in another file: cannot read what was written
      const c = scalarContent(ctx.text, span);
      const raw = ctx.text.slice(c.offset, c.end);
      const written = long ? raw : splitColons(raw)[0]!;
      if (!written.startsWith('/')) return; // ${DATA_ROOT}/..., relative paths, ~
      const [name, value] = root;
      const edit =
        (written === value || written.startsWith(`${value}/`)) && !raw.includes('\n')
          ? replaceSpan({ ...span, offset: c.offset, endOffset: c.offset + value.length }, `\${${name}}`)
          : undefined;
      ctx.report({
        span,
        message: `service "${service.name}" writes the host path ${written} literally; it lies under ${name} (${value}), so write \${${name}}${written.slice(value.length)} and a host can keep its data elsewhere`,
        ...(edit ? { fix: fix(`Write the path with \${${name}}`, edit) } : {}),
      });
    });
  },
  cases: {
    valid: [
      {
        code: 'services:\n  app:\n    image: docker.io/library/alpine:3\n    volumes:\n      - ${DATA_ROOT}/app:/config\n      - ${MEDIA_ROOT:-/mnt/data}/media:/media:ro\n      - /etc/localtime:/etc/localtime:ro\n',
        files: { '.env': 'DATA_ROOT=/mnt/docker\n' },
        settings: { roots: { DATA_ROOT: '/mnt/docker', MEDIA_ROOT: '/mnt/data' } },
      },
      { name: 'no roots defined', code: 'services:\n  app:\n    image: docker.io/library/alpine:3\n    volumes:\n      - /mnt/docker/app:/config\n' },
      {
        name: 'a sibling of the root',
        code: 'services:\n  app:\n    image: docker.io/library/alpine:3\n    volumes:\n      - /mnt/dockerfiles:/x\n',
        settings: { roots: { DATA_ROOT: '/mnt/docker' } },
      },
    ],
    invalid: [
      {
        name: 'short and long syntax, nested roots (the longest wins), comments kept',
        code:
          'services:\n  app:\n    image: docker.io/library/alpine:3\n    volumes:\n      - /mnt/docker/app:/config # settings\n      - "/mnt/data/media/films:/films:ro"\n      - type: bind\n        source: /mnt/docker # all of it\n        target: /all\n',
        settings: { roots: { DATA_ROOT: '/mnt/docker/', MEDIA_ROOT: '/mnt/data/media', DISK: '/mnt' } },
        errors: [
          { line: 5, column: 9, message: /writes the host path \/mnt\/docker\/app literally; it lies under DATA_ROOT \(\/mnt\/docker\), so write \$\{DATA_ROOT\}\/app/ },
          { line: 6, column: 9, message: /under MEDIA_ROOT/ },
          { line: 8, column: 17, message: /\/mnt\/docker literally/ },
        ],
        output:
          'services:\n  app:\n    image: docker.io/library/alpine:3\n    volumes:\n      - ${DATA_ROOT}/app:/config # settings\n      - "${MEDIA_ROOT}/films:/films:ro"\n      - type: bind\n        source: ${DATA_ROOT} # all of it\n        target: /all\n',
      },
    ],
  },
};
