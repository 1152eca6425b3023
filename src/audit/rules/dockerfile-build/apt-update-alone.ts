import type { DockerfileRule } from '../../rule.js';
import { commandSpan, commands, locate, pkgCommand, runs, type Cmd } from './_shared.js';

/** apt verbs that read the package index `apt-get update` fetched. */
const CONSUMERS = new Set(['install', 'reinstall', 'upgrade', 'dist-upgrade', 'full-upgrade', 'build-dep', 'source', 'download', 'satisfy']);
/** Commands that certainly do not install packages. */
const HARMLESS = new Set([
  'set', 'echo', 'printf', 'true', 'false', ':', 'exit', 'sleep', 'export', 'cd', 'test', '[', 'rm', 'mkdir', 'ln', 'cp', 'mv', 'chmod', 'chown', 'touch', 'sed', 'tee',
  'cat', 'ls', 'find', 'grep', 'awk', 'head', 'tail', 'sort', 'uniq', 'wc', 'tr', 'cut', 'tar', 'gzip', 'unzip', 'sha256sum', 'sha512sum', 'md5sum', 'id', 'date',
  'curl', 'wget', 'gpg', 'apt-key', 'useradd', 'groupadd', 'usermod', 'adduser', 'addgroup', 'locale-gen', 'localedef', 'update-ca-certificates', 'ldconfig',
]);

/**
 * `RUN apt-get update` on its own is cached as a layer: a later `RUN apt-get install` that changes
 * reuses the old index and fails or installs outdated packages.
 */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'apt-update-alone',
    title: 'apt-get update runs with the install that needs it',
    category: 'architecture',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of ctx.dockerfile.stages) {
      for (const instr of runs(stage)) {
        const cmds = commands(instr);
        const update = cmds.find((c) => isApt(c) && pkgCommand(c)?.verb === 'update');
        if (!update) continue;
        looked = true;
        if (cmds.some((c) => c !== update && mayInstall(c))) continue;
        ctx.report({
          span: commandSpan(ctx, locate(ctx.text, ctx.dockerfile, instr), instr, update),
          message: `"${update.prog} update" runs without an install in the same RUN: this layer is cached, so a later RUN that installs packages uses a stale index (failed downloads, old versions); update and install in one RUN`,
        });
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n' },
      { name: 'upgrade uses the index', code: 'FROM debian:12\nRUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*\n' },
      { name: 'a script may install: cannot tell', code: 'FROM debian:12\nCOPY install.sh /tmp/\nRUN apt-get update && /tmp/install.sh\n' },
      { name: 'xargs install', code: 'FROM debian:12\nRUN apt-get update && cat pkgs.txt | xargs apt-get install -y\n' },
      { name: 'heredoc', code: 'FROM debian:12\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n' },
    ],
    invalid: [
      {
        code: 'FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n',
        errors: [{ line: 2, column: 5, message: /"apt-get update" runs without an install/ }],
      },
      {
        name: 'with a repository key',
        code: 'FROM ubuntu:24.04\nRUN set -eux; \\\n    curl -fsSL https://example.org/key.asc > /etc/apt/keyrings/x.asc; \\\n    apt update\nRUN apt install -y x\n',
        errors: [{ line: 4, column: 5, message: /"apt update"/ }],
      },
    ],
  },
};

function isApt(c: Cmd): boolean {
  return c.prog === 'apt-get' || c.prog === 'apt';
}

/** Whether a command may read the package index: an apt consumer, apt-cache, a script, or anything unknown. */
function mayInstall(c: Cmd): boolean {
  const p = c.prog;
  if (!p) return false;
  if (isApt(c)) return CONSUMERS.has(pkgCommand(c)?.verb ?? '');
  if (HARMLESS.has(p)) return false;
  return true; // apt-cache, install_packages, xargs apt-get, a script: assume it uses the index
}
