import { spanAt } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';
import { imageName } from '../_images.js';
import { engineSocket, writtenSource } from './_shared.js';

/** The engine's API socket in a container is root on the host (or the whole account, rootless). */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'engine-socket-mount',
    title: 'No container engine socket mounted into containers',
    category: 'security',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const { config, name } = ctx.service;
    // A socket proxy is the remedy: it is the one container meant to hold the socket.
    if (/socket-proxy|sockguard/.test(imageName(config.image)?.path ?? '')) return;
    config.volumes.forEach((v, i) => {
      if (v.type !== 'bind') return;
      const engine = engineSocket(v.source);
      if (!engine) return;
      const rootless = engine === 'Podman' && !/^\/(var\/)?run\/podman\//.test(v.source ?? '');
      const impact = rootless
        ? 'can start containers as the user that runs Podman and read or change all of that user\'s containers and files'
        : 'can start a privileged container with the host\'s / mounted and take the host over';
      const ro = v.read_only ? '; ":ro" does not help: it only stops the socket file being replaced, not calls to the API' : '';
      ctx.report({
        span: spanAt(ctx.service.node, ['volumes', i, 'source']),
        message: `service "${name}" mounts the ${engine} API socket ${writtenSource(ctx, i, v)}: whoever controls the container ${impact}${ro}; if it needs the API (Traefik, Watchtower, Dozzle, Homepage), give it a socket proxy that allows only the calls it makes`,
      });
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ./html:/usr/share/nginx/html:ro\n      - /var/run:/host-run-not-a-socket-rule\n' },
      {
        name: 'socket proxy',
        code: 'services:\n  proxy:\n    image: tecnativa/docker-socket-proxy:0.2\n    volumes: [/var/run/docker.sock:/var/run/docker.sock:ro]\n  traefik:\n    image: traefik:v3.0\n    environment: [DOCKER_HOST=tcp://proxy:2375]\n',
      },
    ],
    invalid: [
      {
        name: 'short syntax, read-only',
        code: 'services:\n  traefik:\n    image: traefik:v3.0\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro # for the docker provider\n',
        errors: [{ line: 5, column: 9, message: /mounts the Docker API socket \/var\/run\/docker.sock: .*take the host over; ":ro" does not help/ }],
      },
      {
        name: 'rootless Podman socket, unset XDG_RUNTIME_DIR, long syntax',
        code: 'services:\n  dozzle:\n    image: amir20/dozzle:v8\n    volumes:\n      - ${XDG_RUNTIME_DIR}/podman/podman.sock:/var/run/docker.sock:ro\n  watchtower:\n    image: containrrr/watchtower:1.7.1\n    volumes:\n      - type: bind\n        source: /run/user/1000/podman/podman.sock\n        target: /var/run/docker.sock\n',
        errors: [
          { line: 5, column: 9, message: /Podman API socket \$\{XDG_RUNTIME_DIR\}\/podman\/podman.sock: .*as the user that runs Podman/ },
          { line: 10, column: 17, message: /Podman API socket \/run\/user\/1000\/podman\/podman.sock/ },
        ],
      },
    ],
  },
};
