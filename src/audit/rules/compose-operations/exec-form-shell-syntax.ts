import type { Span } from '../../../diagnostics/span.js';
import { entry, spanAt, type LNode } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';

/** Programs that read a script after -c. */
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh', 'fish', 'busybox']);
/** Programs whose arguments are code with a `$` syntax of its own. */
const INTERPRETERS = /^(python[0-9.]*|node|nodejs|perl|ruby|php[0-9.]*|deno|bun|pwsh|powershell|awk|gawk|mawk|jq|yq|sed|envsubst|printf)$/;
/** Wrappers that run the next word as the program. */
const WRAPPERS = new Set(['tini', 'dumb-init', 'env', 'exec', 'nice', 'nohup', 'catatonit', 'gosu', 'su-exec', 's6-setuidgid', 'chpst', 'setpriv']);
const TAKES_USER = new Set(['gosu', 'su-exec', 's6-setuidgid']);
const OPERATORS = new Set(['&&', '||', '|', ';', '&', '>', '>>', '<', '2>&1', '&>', '|&']);

const base = (word: string) => word.slice(word.lastIndexOf('/') + 1);

/** The program an argv runs, past wrappers such as tini, env and gosu; -1 when none. */
function programIndex(argv: string[]): number {
  let i = 0;
  while (i < argv.length) {
    const w = argv[i]!;
    const b = base(w);
    if (WRAPPERS.has(b)) {
      i += TAKES_USER.has(b) ? 2 : 1;
      continue;
    }
    if (w === '--' || (w.startsWith('-') && i > 0) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) {
      i++;
      continue;
    }
    return i;
  }
  return -1;
}

/** Whether the argv hands its words to a shell (`sh -c`, `bash -ec`) or to an interpreter with code of its own. */
function runsShellOrCode(argv: string[]): boolean {
  const i = programIndex(argv);
  if (i < 0) return false;
  const prog = base(argv[i]!);
  if (INTERPRETERS.test(prog)) return true;
  return SHELLS.has(prog) && argv.slice(i + 1).some((a) => /^-[a-z]*c[a-z]*$/.test(a));
}

/** The first piece of shell syntax in one exec-form argument, described. */
function shellSyntax(arg: string): string | undefined {
  if (OPERATORS.has(arg.trim())) return `the shell operator "${arg.trim()}"`;
  const op = / (&&|\|\|) /.exec(arg);
  if (op) return `the shell operator "${op[1]}"`;
  if (arg.includes('$(')) return 'the command substitution "$(...)"';
  const braced = /\$\{[A-Za-z_][A-Za-z0-9_]*[^}]*\}/.exec(arg);
  if (braced) return `the variable "${braced[0]}"`;
  const plain = /\$[A-Z_][A-Z0-9_]+(?![A-Za-z0-9_])/.exec(arg);
  if (plain) return `the variable "${plain[0]}"`;
  return undefined;
}

interface Words {
  words: string[];
  /** The first unquoted ; & | < > (where shellwords stops reading), if any. */
  operator?: string;
  /** Variables and substitutions outside single quotes. */
  expansion?: string;
}

/** Splits a string the way compose does (go-shellwords: quotes and backslashes, no shell). */
function shellWords(s: string): Words {
  const words: string[] = [];
  let buf = '';
  let got = false;
  let single = false;
  let double = false;
  let expansion: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && !single) {
      buf += s[++i] ?? '';
      got = true;
      continue;
    }
    if (/\s/.test(ch) && !single && !double) {
      if (got) words.push(buf);
      buf = '';
      got = false;
      continue;
    }
    if (ch === "'" && !double) {
      single = !single;
      got = true;
      continue;
    }
    if (ch === '"' && !single) {
      double = !double;
      got = true;
      continue;
    }
    if (!single && !double && ';&|<>'.includes(ch)) {
      if (got) words.push(buf);
      const op = /^(&&|\|\||>>|[;&|<>])/.exec(s.slice(i))![0];
      return { words, operator: op, ...(expansion ? { expansion } : {}) };
    }
    if (!single && expansion === undefined) {
      const rest = s.slice(i);
      const m = /^\$\([^)]*\)?|^\$\{[A-Za-z_][A-Za-z0-9_]*[^}]*\}|^\$[A-Z_][A-Z0-9_]+(?![A-Za-z0-9_])/.exec(rest);
      if (m) expansion = m[0];
    }
    buf += ch;
    got = true;
  }
  if (got) words.push(buf);
  return { words, ...(expansion ? { expansion } : {}) };
}

type Where = 'command' | 'entrypoint' | 'test';
const LABEL: Record<Where, string> = { command: 'command', entrypoint: 'entrypoint', test: 'health check test' };

/**
 * Exec-form commands (and compose's string commands, which it only splits into words) run without a
 * shell: `$VAR`, `$(...)`, `&&` or `|` in them reach the program literally. Compose has already
 * interpolated `${VAR}` from the host; what is left came from `$$` escapes, which reach the container as `$`.
 */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'exec-form-shell-syntax',
    title: 'Compose commands that run without a shell use no shell syntax',
    category: 'orchestration',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const { service } = ctx;
    const c = service.config;
    const node = service.node;
    let looked = false;
    const words = (v: string | string[] | undefined): string[] | undefined => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? shellWords(v).words : undefined);
    const entrypoint = words(c.entrypoint);

    const check = (where: Where, value: unknown, path: (string | number)[], prefix: string[] | undefined) => {
      const at: LNode | undefined = path.length === 1 ? entry(node, String(path[0]))?.value : entry(entry(node, 'healthcheck')?.value, 'test')?.value;
      if (!at) return;
      const span = (i?: number): Span => (i === undefined ? at.span : spanAt(node, [...path, i]));
      looked = true;
      if (Array.isArray(value)) {
        const args = value.map((v) => (v === null ? '' : String(v)));
        const offset = where === 'test' ? 1 : 0;
        const own = args.slice(offset);
        // Without an entrypoint of the file's own, a first word with spaces is likely a script for the image's `sh -c`.
        if (where === 'command' && !prefix && /\s/.test(own[0] ?? '')) return;
        const argv = [...(prefix ?? []), ...own];
        if (runsShellOrCode(argv)) return;
        const p = programIndex(argv);
        // Spring and other JVM frameworks resolve ${...} in -D and --name= options themselves.
        const java = p >= 0 && base(argv[p]!) === 'java';
        for (let i = 0; i < own.length; i++) {
          // An argument that reads an unset variable: compose substituted an empty string, cannot tell.
          if (ctx.unsetIn(span(i + offset)).length) continue;
          const found = shellSyntax(own[i]!);
          if (!found || (java && /^-(D|-)[^=]+=/.test(own[i]!) && found.startsWith('the variable "${'))) continue;
          // Backticks are left alone: Traefik rules (Host(`example.com`)) use them as quotes.
          const prog = p < 0 || argv[p]!.startsWith('-') ? "the image's entrypoint" : `"${argv[p]}"`;
          const form = where === 'test' ? 'the CMD form' : 'exec form';
          ctx.report({
            span: span(i + offset),
            message: `service "${service.name}": the ${LABEL[where]} runs ${prog} without a shell (${form}), so ${found} in "${own[i]}" is passed on literally${found.includes('variable') ? ' ($$ only escapes compose\'s own interpolation)' : ''}; wrap it in ["sh", "-c", "..."]${where === 'test' ? ' or use CMD-SHELL' : ''} if it needs the shell`,
          });
          return;
        }
      } else if (typeof value === 'string') {
        if (ctx.unsetIn(span()).length) return;
        const w = shellWords(value);
        const argv = [...(prefix ?? []), ...w.words];
        if (runsShellOrCode(argv) || (!w.operator && !w.expansion)) return;
        const what = w.operator
          ? `"${w.operator}" is no shell operator there (Docker Compose drops everything from it on; podman-compose passes it on as a word)`
          : `"${w.expansion}" is passed on literally ($$ only escapes compose's own interpolation)`;
        ctx.report({ span: span(), message: `service "${service.name}": compose splits the ${LABEL[where]} into words without a shell, so ${what}; write it as ["sh", "-c", "..."] if it needs the shell` });
      }
    };

    check('entrypoint', c.entrypoint, ['entrypoint'], undefined);
    check('command', c.command, ['command'], entrypoint);
    const test = c.healthcheck?.test;
    if (Array.isArray(test) && String(test[0]).toUpperCase() === 'CMD') check('test', test, ['healthcheck', 'test'], undefined);
    if (!looked) ctx.skip();
  },
  cases: {
    valid: [
      {
        code: 'services:\n  db:\n    image: postgres:16\n    command: ["postgres", "-c", "max_connections=200"]\n    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U $${POSTGRES_USER}"]\n',
      },
      {
        name: 'a shell runs the script, also behind tini and an entrypoint of the file',
        code:
          'services:\n  a:\n    image: alpine:3.20\n    command: ["/bin/sh", "-c", "echo $$HOME && ls | wc -l"]\n  b:\n    image: alpine:3.20\n    entrypoint: ["tini", "--", "bash", "-ec"]\n    command: ["echo $$HOME > /tmp/x"]\n  c:\n    image: alpine:3.20\n    command: sh -c "echo $$HOME && ls"\n',
      },
      {
        name: 'interpolated by compose, code with its own $ syntax, an argument that reads an unset variable (cannot tell)',
        code:
          'services:\n  a:\n    image: redis:7\n    command: ["redis-server", "--requirepass", "${REDIS_PASSWORD:-changeme}"]\n  b:\n    image: python:3.12\n    command: ["python", "-c", "import os; print(os.environ[\'HOME\'])"]\n  c:\n    image: alpine:3.20\n    command: ["awk", "{print $$1}", "/etc/hosts"]\n  d:\n    image: ghcr.io/org/d:1\n    command: ["d", "--dir", "$${HOME}/${SUBDIR}"]\n  e:\n    image: eclipse-temurin:21\n    command: ["java", "-Dserver.port=$${PORT:8080}", "-jar", "app.jar"]\n',
      },
      {
        name: 'a password with a literal dollar; quoted operators in a string command; Traefik backticks',
        code:
          'services:\n  a:\n    image: redis:7\n    command: ["redis-server", "--requirepass", "pa$$word"]\n  b:\n    image: ghcr.io/org/app:2\n    command: app --format "{{.Name}} | {{.Status}}"\n  proxy:\n    image: traefik:3.1\n    command: ["--providers.docker.constraints=Label(`stack`,`app`)"]\n',
      },
    ],
    invalid: [
      {
        name: 'seed 003 style: $$VAR in a CMD health check and in an exec-form command',
        code:
          'services:\n  db:\n    image: mariadb:11\n    healthcheck:\n      test: ["CMD", "mysqladmin", "ping", "-p$$MYSQL_ROOT_PASSWORD"]\n  cache:\n    image: redis:7\n    command:\n      - redis-server\n      - --requirepass\n      - "$${REDIS_PASSWORD}"\n',
        errors: [
          { line: 5, column: 43, message: /health check test runs "mysqladmin" without a shell \(the CMD form\), so the variable "\$MYSQL_ROOT_PASSWORD" in "-p\$MYSQL_ROOT_PASSWORD" is passed on literally/ },
          { line: 11, column: 9, message: /command runs "redis-server" without a shell \(exec form\), so the variable "\$\{REDIS_PASSWORD\}"/ },
        ],
      },
      {
        name: 'operators in exec form and in a string command',
        code:
          'services:\n  app:\n    image: node:20\n    command: ["npm", "install", "&&", "npm", "start"]\n  worker:\n    image: node:20\n    command: npm run migrate && npm run worker\n  tool:\n    image: alpine:3.20\n    entrypoint: ["/usr/bin/env", "app", "$(cat /run/secrets/token)"]\n',
        errors: [
          { line: 4, column: 33, message: /the shell operator "&&"/ },
          { line: 7, column: 14, message: /splits the command into words without a shell, so "&&" is no shell operator there/ },
          { line: 10, column: 41, message: /entrypoint runs "app" without a shell \(exec form\), so the command substitution/ },
        ],
      },
    ],
  },
};
