import { spanAt } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';
import { imageName } from '../_images.js';
import { portsUnknown } from './_shared.js';

const SSHD_IMAGE = /(^|\/|-)(openssh-server|sshd|ssh-server|sftp|sftpgo)$/;
const GIT_SERVER = /(^|\/)(gitea|forgejo|gogs|gitlab-ce|gitlab-ee|onedev|soft-serve)$/;

/** An SSH server in a container is a second way into the host's network, with its own keys and users to manage (CIS 5.7). */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'sshd-exposed',
    title: 'No SSH servers in containers',
    category: 'security',
    severity: 'low',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const { config, name } = ctx.service;
    const ref = imageName(config.image);
    if (ref && SSHD_IMAGE.test(ref.path)) {
      ctx.report({
        span: ctx.service.node.entries.find((e) => e.key === 'image')!.value.span,
        message: `service "${name}" runs an SSH server (${ref.path}): one more login surface with its own keys and users; use the host's SSH (or docker exec) for shell access, and keep it off public interfaces if you need file transfer`,
      });
    }
    // Neither an SSH image (reported above) nor any published port: nothing to judge.
    if (portsUnknown(ctx) || config.ports.length === 0) ctx.skip();
    const git = ref && GIT_SERVER.test(ref.path);
    const seen = new Set<number | undefined>();
    config.ports.forEach((p, i) => {
      if (p.published !== 22 || p.protocol !== 'tcp') return;
      const span = spanAt(ctx.service.node, ['ports', i]);
      if (seen.has(span.offset)) return;
      seen.add(span.offset);
      ctx.report({
        span,
        message: git
          ? `service "${name}" publishes host port 22 for git over SSH: it takes the host's own SSH port; publish it on another port (2222) or use the host's SSH passthrough`
          : `service "${name}" publishes host port 22: an SSH endpoint in a container, on the port scanners try first; use another port, or the host's SSH`,
      });
    });
  },
  cases: {
    valid: [
      { code: 'services:\n  gitea:\n    image: gitea/gitea:1.22\n    ports: ["2222:22", "3000:3000"]\n' },
      { code: 'services:\n  web:\n    image: nginx:1.27\n    ports: ["22022:80"]\n' },
    ],
    invalid: [
      {
        code: 'services:\n  ssh:\n    image: lscr.io/linuxserver/openssh-server:9.7 # jump host\n    ports:\n      - "2222:2222"\n  gitea:\n    image: gitea/gitea:1.22\n    ports:\n      - 22:22\n',
        errors: [
          { line: 3, column: 12, message: /service "ssh" runs an SSH server \(linuxserver\/openssh-server\)/ },
          { line: 9, column: 9, message: /service "gitea" publishes host port 22 for git over SSH/ },
        ],
      },
      {
        name: 'long syntax',
        code: 'services:\n  box:\n    image: example/box:1\n    ports:\n      - target: 2200\n        published: 22\n',
        errors: [{ line: 5, column: 9, message: /publishes host port 22: an SSH endpoint/ }],
      },
    ],
  },
};
