import type { DockerfileRule } from '../../rule.js';
import { dynamic, has, locate, operandSpan, pkgCommands, runs, type PkgCommand } from './_shared.js';

/** Build tooling upgraded in place (`pip install -U pip`): pinning it adds churn and no reproducibility. */
const TOOLING = new Set(['pip', 'setuptools', 'wheel']);

/**
 * Unpinned packages make a rebuild install whatever is newest that day. Pinning is what lets an
 * update tool (Renovate) propose, and a reviewer see, version changes. Opinionated (Alpine drops
 * old versions from its mirrors, so exact apk pins break builds: hadolint #464), hence strict only.
 */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'pin-packages',
    title: 'Installed packages are pinned to versions',
    category: 'automation',
    severity: 'low',
    fixable: false,
    profiles: ['strict'],
  },
  check(ctx) {
    let looked = false;
    for (const stage of ctx.dockerfile.stages) {
      for (const instr of runs(stage)) {
        for (const pc of pkgCommands(instr)) {
          const names = candidates(pc);
          if (names === undefined) continue;
          looked = true;
          const unpinned = names.filter((n) => !pinned(pc, n));
          if (unpinned.length === 0) continue;
          const loc = locate(ctx.text, ctx.dockerfile, instr);
          const list = unpinned.slice(0, 3).map((n) => `"${n}"`).join(', ') + (unpinned.length > 3 ? ` and ${unpinned.length - 3} more` : '');
          ctx.report({
            span: operandSpan(ctx, loc, instr, pc, unpinned[0]),
            message: `${pc.tool} ${pc.verb} installs ${list} without a version: a rebuild gets whatever is newest that day; pin them (${HOW[pc.tool] ?? 'name@version'})`,
          });
        }
      }
    }
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      { code: 'FROM debian:12\nRUN apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8\n' },
      { name: 'lock files and requirements', code: 'FROM node:20\nRUN npm ci && npm install\nRUN pip install --no-cache-dir -r requirements.txt && pip install -U pip setuptools\n' },
      { name: 'variables, local files, target release', code: 'FROM debian:12\nRUN apt-get install -y $buildDeps ./pkg.deb && apt-get install -y -t bookworm-backports git\n' },
      { name: 'pins of every kind', code: 'FROM python:3.12-alpine\nRUN apk add --no-cache "curl~8.9" && pip install "flask==3.0.3" "rich>=13" && npm install -g pnpm@9.1.0 @scope/x@1 && gem install rails -v 7.1\n' },
    ],
    invalid: [
      {
        code: 'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1 git \\\n    jq\n',
        errors: [{ line: 2, column: 78, message: /apt-get install installs "git", "jq" without a version.*curl=/ }],
      },
      {
        name: 'pip, npm, gem',
        code: 'FROM node:20\nRUN pip install flask[async] && npm install -g pnpm @scope/tool@latest && gem install bundler\n',
        errors: [
          { line: 2, column: 17, message: /pip install installs "flask\[async\]"/ },
          { line: 2, column: 48, message: /"pnpm", "@scope\/tool@latest"/ },
          { line: 2, column: 87, message: /gem install installs "bundler"/ },
        ],
      },
    ],
  },
};

const HOW: Record<string, string> = {
  'apt-get': 'curl=7.88.1-10+deb12u8',
  apt: 'curl=7.88.1-10+deb12u8',
  apk: 'curl~8.9, which keeps getting patch releases',
  pip: 'flask==3.0.3, or a requirements file with hashes',
  npm: 'pnpm@9.1.0',
  gem: 'gem install rails -v 7.1.3',
};

/** The package names a command installs, or undefined when it installs none we can judge. */
function candidates(pc: PkgCommand): string[] | undefined {
  const local = (w: string) => dynamic(w) || /^(\.|\/|~)/.test(w) || /\.(deb|apk|rpm|whl|tar\.gz|tgz|zip)$/.test(w) || /^[a-z+]+:\/\//i.test(w) || w.startsWith('git+');
  switch (pc.tool) {
    case 'apt-get':
    case 'apt':
      if (pc.verb !== 'install') return undefined;
      if (pc.args.some((a) => ['-t', '--target-release', '--default-release'].includes(a) || /^--(target|default)-release=/.test(a))) return undefined; // release pinning: deliberate
      return pc.operands.filter((w) => !local(w));
    case 'apk':
      if (pc.verb !== 'add') return undefined;
      return pc.operands.filter((w) => !local(w) && !w.includes(':')); // so:libc.musl, cmd:foo name what provides them
    case 'pip':
      if (pc.verb !== 'install') return undefined;
      return pc.operands.filter((w) => !local(w) && !(TOOLING.has(w.toLowerCase()) && has(pc.args, '-U', '--upgrade')));
    case 'npm':
      if (!['install', 'i', 'add'].includes(pc.verb)) return undefined;
      return pc.operands.filter((w) => !local(w) && !/^(github|gitlab|bitbucket|file|git):/.test(w));
    case 'gem':
      if (pc.verb !== 'install') return undefined;
      if (has(pc.args, '-v', '--version')) return [];
      return pc.operands.filter((w) => !local(w) && !w.endsWith('.gem'));
    default:
      return undefined;
  }
}

function pinned(pc: PkgCommand, word: string): boolean {
  switch (pc.tool) {
    case 'apt-get':
    case 'apt':
      return word.includes('=');
    case 'apk':
      return /[=~<>]/.test(word);
    case 'pip':
      return /(==|>=|<=|~=|!=|===|<|>| @ |@)/.test(word);
    case 'npm': {
      const at = word.lastIndexOf('@');
      if (at <= 0) return false; // no @, or only the @ of a scope
      const v = word.slice(at + 1);
      return v !== '' && !['latest', 'next', 'canary', 'beta'].includes(v);
    }
    case 'gem':
      return word.includes(':');
    default:
      return true;
  }
}
