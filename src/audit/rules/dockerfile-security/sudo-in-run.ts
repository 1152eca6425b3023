import type { DockerfileRule } from '../../rule.js';
import { commandSpan, commandsOf } from './_shared.js';

/** `sudo` in a RUN: the build already runs as the USER in effect; sudo needs a tty-less setup and stays in the image. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'sudo-in-run',
    title: 'Build steps do not use sudo',
    category: 'security',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of ctx.dockerfile.stages) {
      for (const instr of stage.instructions) {
        if (instr.keyword !== 'RUN' || !instr.shell) continue;
        looked = true;
        const uses = commandsOf(ctx, instr).filter((l) => {
          const first = l.cmd.argv[0] ?? '';
          return first.slice(first.lastIndexOf('/') + 1) === 'sudo';
        });
        if (uses.length === 0) continue;
        ctx.report({
          span: commandSpan(ctx, instr, uses[0]!),
          message: `RUN uses sudo${uses.length > 1 ? ` (${uses.length} times)` : ''}: it only works with passwordless sudo installed in the image, which lets any process of the container become root. Switch with USER root for the step and back to the app user after it (hadolint DL3004)`,
        });
      }
    }
    if (!looked) ctx.skip(); // no RUN: no build steps
  },
  cases: {
    valid: [
      { name: 'USER root for the step', code: 'FROM node:20\nUSER root\nRUN apt-get update && apt-get install -y curl\nUSER node\n' },
      { name: 'sudo as a package name or argument', code: 'FROM debian:12\nRUN apt-get install -y sudo && echo "sudo is installed"\n' },
    ],
    invalid: [
      {
        code: 'FROM node:20\nUSER node\nRUN sudo apt-get update && \\\n    sudo -E /usr/bin/apt-get install -y curl\n',
        errors: [{ line: 3, column: 5, message: /^RUN uses sudo \(2 times\): it only works with passwordless sudo/ }],
      },
      {
        name: 'inside sh -c and a heredoc',
        code: 'FROM ubuntu:24.04\nRUN sh -c "sudo chown app /data"\nRUN <<EOF\nset -e\n/usr/bin/sudo make install\nEOF\n',
        errors: [
          { line: 2, column: 12 },
          { line: 5, column: 1 },
        ],
      },
    ],
  },
};
