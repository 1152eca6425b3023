import { argsOf, program, type ShellCommand } from '../../../dockerfile/shell.js';
import type { DockerfileRule } from '../../rule.js';
import { argSpan, commandsOf } from './_shared.js';

const FLAGS: Record<string, string[]> = {
  apk: ['--allow-untrusted'],
  'apt-get': ['--allow-unauthenticated', '--force-yes', '--allow-insecure-repositories'],
  apt: ['--allow-unauthenticated', '--force-yes', '--allow-insecure-repositories'],
  aptitude: ['--allow-untrusted'],
  rpm: ['--nosignature', '--nodigest', '--nosig'],
  yum: ['--nogpgcheck'],
  dnf: ['--nogpgcheck', '--no-gpgchecks'],
  microdnf: ['--nogpgcheck'],
  tdnf: ['--nogpgcheck'],
  zypper: ['--no-gpg-checks', '--no-gpgcheck', '-G'],
};

/** The argument that installs packages without checking their signatures, if any. */
export function unsignedArg(cmd: ShellCommand): string | undefined {
  const p = program(cmd);
  const args = argsOf(cmd);
  const flags = p ? FLAGS[p] : undefined;
  if (flags) {
    const hit = args.find((a) => flags.includes(a) || (a.startsWith('--') && a.includes('=') && flags.includes(a.slice(0, a.indexOf('=')))));
    if (hit) return hit;
  }
  // -o APT::Get::AllowUnauthenticated=true, --setopt=gpgcheck=0, and repository lines echoed into files
  return cmd.argv.find(
    (a) =>
      /APT::Get::AllowUnauthenticated\W+(true|1|yes)\b/i.test(a) ||
      /Acquire::AllowInsecureRepositories\W+(true|1|yes)\b/i.test(a) ||
      /\[[^\]]*\btrusted=yes\b[^\]]*\]/.test(a) ||
      /(^|[\s\\n=.*]|^--setopt=)(repo_)?gpgcheck\s*=\s*(0|false|no)\b/i.test(a),
  );
}

/** Packages installed without signature checks: apk --allow-untrusted, apt --allow-unauthenticated, rpm --nosignature, --nogpgcheck. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'unsigned-packages',
    title: 'Packages are installed with signature checks',
    category: 'security',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let installs = false;
    for (const stage of ctx.dockerfile.stages) {
      for (const instr of stage.instructions) {
        if (!instr.shell) continue;
        for (const l of commandsOf(ctx, instr)) {
          if (Object.hasOwn(FLAGS, program(l.cmd) ?? '')) installs = true;
          const arg = unsignedArg(l.cmd);
          if (!arg) continue;
          const shown = arg.length > 60 ? `${arg.slice(0, 57)}...` : arg;
          ctx.report({
            span: argSpan(ctx, instr, l, arg),
            message: `${instr.keyword} turns package signature checks off (${program(l.cmd)} ${shown}): a tampered mirror or a man in the middle can install anything. Import the repository's signing key instead`,
          });
        }
      }
    }
    if (!installs) ctx.skip(); // no package manager runs
  },
  cases: {
    valid: [
      { name: 'signed installs', code: 'FROM alpine:3.20\nRUN apk add --no-cache curl\nFROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n' },
      { name: 'a signed repository file', code: 'FROM rockylinux:9\nRUN printf "[app]\\nbaseurl=https://rpm.example.com\\ngpgcheck=1\\n" > /etc/yum.repos.d/app.repo && dnf install -y app\n' },
    ],
    invalid: [
      {
        name: 'apk, apt-get, rpm, dnf',
        code: [
          'FROM alpine:3.20',
          'RUN apk add --allow-untrusted /tmp/app.apk',
          'FROM debian:12',
          'RUN apt-get update && apt-get install -y --allow-unauthenticated app',
          'FROM fedora:40',
          'RUN rpm -i --nosignature /tmp/app.rpm \\',
          ' && dnf install -y --nogpgcheck tool',
          '',
        ].join('\n'),
        errors: [
          { line: 2, column: 13, message: /^RUN turns package signature checks off \(apk --allow-untrusted\)/ },
          { line: 4, column: 42, message: /apt-get --allow-unauthenticated/ },
          { line: 6, column: 12, message: /rpm --nosignature/ },
          { line: 7, column: 20, message: /dnf --nogpgcheck/ },
        ],
      },
      {
        name: 'trusted=yes sources and gpgcheck=0 repositories',
        code: 'FROM debian:12\nRUN echo "deb [trusted=yes] http://repo.example.com/ ./" > /etc/apt/sources.list.d/x.list\nFROM fedora:40\nRUN dnf install -y --setopt=gpgcheck=0 app\n',
        errors: [
          { line: 2, column: 11, message: /echo deb \[trusted=yes\]/ },
          { line: 4, column: 20, message: /dnf --setopt=gpgcheck=0/ },
        ],
      },
      {
        name: 'zypper and apt -o',
        code: 'FROM opensuse/leap:15.6\nRUN zypper --no-gpg-checks install -y app\nFROM debian:12\nRUN apt-get -o APT::Get::AllowUnauthenticated=true install -y app\n',
        errors: [
          { line: 2, column: 12, message: /zypper --no-gpg-checks/ },
          { line: 4, column: 16, message: /apt-get APT::Get::AllowUnauthenticated=true/ },
        ],
      },
    ],
  },
};
