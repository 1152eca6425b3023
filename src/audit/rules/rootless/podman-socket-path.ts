import { posix } from 'node:path';
import { get } from '../../../source/tree.js';
import { fix, replaceSpan, scalarContent } from '../../fix-helpers.js';
import type { ComposeRule } from '../../rule.js';
import { DOCKER_SOCKETS, sourceSpan } from './_shared.js';

const PODMAN_SOCKET = '${XDG_RUNTIME_DIR}/podman/podman.sock';

/** Seed 004: rootless Podman serves the Docker API on $XDG_RUNTIME_DIR/podman/podman.sock, not /var/run/docker.sock. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'podman-socket-path',
    title: "Agents mount the user's Podman socket",
    category: 'orchestration',
    severity: 'medium',
    fixable: 'unsafe',
    profiles: ['rootless-podman'],
  },
  service(ctx) {
    const { service } = ctx;
    const seq = get(service.node, 'volumes');
    const socket = service.config.volumes.some((m) => m.type === 'bind' && /(^|\/)(docker|podman)\.sock$/.test(m.source ?? ''));
    if (seq?.kind !== 'seq' || !socket) return ctx.skip(); // mounts no engine socket
    service.config.volumes.forEach((mount, i) => {
      if (mount.type !== 'bind' || !mount.source || !DOCKER_SOCKETS.has(posix.normalize(mount.source))) return;
      const item = seq.items[i]!;
      const { span, long } = sourceSpan(item);
      let edit;
      if (span.file === ctx.file) {
        const c = scalarContent(ctx.text, span);
        const raw = ctx.text.slice(c.offset, c.end);
        const literal = long ? (DOCKER_SOCKETS.has(raw) ? raw : undefined) : [...DOCKER_SOCKETS].find((s) => raw.startsWith(`${s}:`));
        if (literal !== undefined) edit = replaceSpan({ ...span, offset: c.offset, endOffset: c.offset + literal.length }, PODMAN_SOCKET);
      }
      ctx.report({
        span,
        message: `service "${service.name}" mounts ${mount.source}, the rootful engine's socket: rootless Podman serves its API on ${PODMAN_SOCKET} (e.g. /run/user/1000/podman/podman.sock), so the container gets no socket or talks to the wrong engine`,
        ...(edit ? { fix: fix("Mount the user's Podman socket", edit) } : {}),
      });
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  dozzle:\n    image: docker.io/amir20/dozzle:v8\n    volumes:\n      - ${XDG_RUNTIME_DIR}/podman/podman.sock:/var/run/docker.sock:ro\n' },
      { name: 'a literal user socket', code: 'services:\n  dozzle:\n    image: docker.io/amir20/dozzle:v8\n    volumes:\n      - /run/user/1000/podman/podman.sock:/var/run/docker.sock:ro\n' },
    ],
    invalid: [
      {
        name: 'short and long syntax; comments kept',
        code:
          'services:\n  watchtower:\n    image: docker.io/containrrr/watchtower:1\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro # API\n  agent:\n    image: docker.io/portainer/agent:2\n    volumes:\n      - type: bind\n        source: "/run/docker.sock" # host\n        target: /var/run/docker.sock\n',
        errors: [
          { line: 5, column: 9, message: /service "watchtower" mounts \/var\/run\/docker.sock, the rootful engine's socket/ },
          { line: 10, column: 17 },
        ],
        output:
          'services:\n  watchtower:\n    image: docker.io/containrrr/watchtower:1\n    volumes:\n      - ${XDG_RUNTIME_DIR}/podman/podman.sock:/var/run/docker.sock:ro # API\n  agent:\n    image: docker.io/portainer/agent:2\n    volumes:\n      - type: bind\n        source: "${XDG_RUNTIME_DIR}/podman/podman.sock" # host\n        target: /var/run/docker.sock\n',
      },
      {
        name: 'from a variable default: reported without a fix',
        code: 'services:\n  agent:\n    image: docker.io/portainer/agent:2\n    volumes:\n      - ${DOCKER_SOCK:-/var/run/docker.sock}:/var/run/docker.sock\n',
        errors: [{ line: 5, column: 9 }],
      },
    ],
  },
};
