import { posix } from 'node:path';
import { entry, type LMap } from '../../../source/tree.js';
import { addToMapping, fix, replaceSpan, scalarContent } from '../../fix-helpers.js';
import type { ComposeRule, ComposeServiceContext, TextEdit } from '../../rule.js';
import { within } from '../_spans.js';
import { DOCKER_SOCKETS, goFirst, mountsOf, splitColons } from './_shared.js';

const SOCKET_TARGETS = new Set([...DOCKER_SOCKETS, '/run/podman/podman.sock', '/var/run/podman/podman.sock']);

function isSocket(source: string | undefined, target: string): boolean {
  const base = source ? posix.basename(source) : '';
  return base === 'docker.sock' || base === 'podman.sock' || SOCKET_TARGETS.has(posix.normalize(target));
}

/** The edit that makes the mount read-only, or undefined when no minimal edit is safe. */
function readOnlyEdit(ctx: ComposeServiceContext, item: LMap, short: boolean): TextEdit | undefined {
  if (item.span.file !== ctx.file) return undefined;
  if (short) {
    const c = scalarContent(ctx.text, item.span);
    const raw = ctx.text.slice(c.offset, c.end);
    const parts = splitColons(raw);
    if (raw.includes('\n') || parts.length < 2 || parts.length > 3) return undefined;
    let text: string;
    if (parts.length === 2) text = `${raw}:ro`;
    else {
      const flags = parts[2]!.split(',').filter((f) => f !== '' && f !== 'rw');
      text = `${parts[0]}:${parts[1]}:${['ro', ...flags].join(',')}`;
    }
    return replaceSpan({ ...item.span, offset: c.offset, endOffset: c.end }, text);
  }
  const ro = entry(item, 'read_only');
  if (ro) return replaceSpan(ro.value.span, 'true');
  // An insertion: only inside the service's own text, where an anchor shared by several services cannot repeat it.
  if (!within(item.span, ctx.service.node.span)) return undefined;
  const own = item.entries.filter((e) => within(e.keySpan, item.span)).sort((a, b) => (a.keySpan.offset ?? 0) - (b.keySpan.offset ?? 0));
  const edit = own.length ? addToMapping(ctx.text, { ...item, entries: own }, 'read_only: true') : undefined;
  // Before other rules' insertions at the same offset (they add keys after the mount; this line still belongs to it).
  return goFirst(ctx.text, edit);
}

/** Seed 004 mounts the engine socket `:ro`: the container cannot replace or remove the socket file. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'engine-socket-read-write',
    title: 'The engine socket is mounted read-only',
    category: 'security',
    severity: 'medium',
    fixable: 'unsafe',
    profiles: ['rootless-podman'],
  },
  service(ctx) {
    const { service } = ctx;
    const mounts = mountsOf(ctx);
    if (!mounts.some(({ mount }) => mount.type === 'bind' && isSocket(mount.source, mount.target))) return ctx.skip(); // mounts no engine socket
    for (const { mount, node: item, short } of mounts) {
      if (mount.type !== 'bind' || !isSocket(mount.source, mount.target) || mount.read_only === true) continue;
      const edit = readOnlyEdit(ctx, item, short);
      ctx.report({
        span: item.span,
        message: `service "${service.name}" mounts the engine socket ${mount.source ?? ''} read-write; mount it :ro as seed 004 does (this only protects the socket file: anyone who can talk to the socket still controls every container of the user, so mount it only where needed)`,
        ...(edit ? { fix: fix('Mount the socket read-only', edit) } : {}),
      });
    }
  },
  cases: {
    valid: [
      { code: 'services:\n  dozzle:\n    image: docker.io/amir20/dozzle:v8\n    volumes:\n      - ${XDG_RUNTIME_DIR}/podman/podman.sock:/var/run/docker.sock:ro\n' },
      { name: 'long syntax', code: 'services:\n  dozzle:\n    image: docker.io/amir20/dozzle:v8\n    volumes:\n      - type: bind\n        source: /run/user/1000/podman/podman.sock\n        target: /var/run/docker.sock\n        read_only: true\n' },
      { name: 'other binds', code: 'services:\n  app:\n    image: docker.io/library/alpine:3\n    volumes:\n      - ./data:/data\n' },
    ],
    invalid: [
      {
        name: 'short forms (with a mode, rw), long forms; comments kept',
        code:
          'services:\n  watchtower:\n    image: docker.io/containrrr/watchtower:1\n    volumes:\n      - /run/user/1000/podman/podman.sock:/var/run/docker.sock # API\n      - "/var/run/docker.sock:/tmp/docker.sock:z"\n      - /run/podman/podman.sock:/run/podman/podman.sock:rw\n      - type: bind\n        source: /run/user/1000/podman/podman.sock\n        target: /sock/podman.sock # agent\n      - type: bind\n        source: /var/run/docker.sock\n        target: /var/run/docker.sock\n        read_only: false\n',
        errors: [
          { line: 5, column: 9, message: /service "watchtower" mounts the engine socket \/run\/user\/1000\/podman\/podman.sock read-write/ },
          { line: 6, column: 9 },
          { line: 7, column: 9 },
          { line: 8, column: 9 },
          { line: 11, column: 9 },
        ],
        output:
          'services:\n  watchtower:\n    image: docker.io/containrrr/watchtower:1\n    volumes:\n      - /run/user/1000/podman/podman.sock:/var/run/docker.sock:ro # API\n      - "/var/run/docker.sock:/tmp/docker.sock:ro,z"\n      - /run/podman/podman.sock:/run/podman/podman.sock:ro\n      - type: bind\n        source: /run/user/1000/podman/podman.sock\n        target: /sock/podman.sock # agent\n        read_only: true\n      - type: bind\n        source: /var/run/docker.sock\n        target: /var/run/docker.sock\n        read_only: true\n',
      },
      {
        name: 'flow mapping: reported without a fix',
        code: 'services:\n  agent:\n    image: docker.io/portainer/agent:2\n    volumes:\n      - {type: bind, source: /var/run/docker.sock, target: /var/run/docker.sock}\n',
        errors: [{ line: 5, column: 9, message: /read-write/ }],
      },
    ],
  },
};
