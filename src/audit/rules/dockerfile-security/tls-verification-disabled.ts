import { argsOf, operands, program, type ShellCommand } from '../../../dockerfile/shell.js';
import type { DockerfileRule } from '../../rule.js';
import { argSpan, commandsOf, CURL_VALUE_OPTIONS, escapeOf, pairsOf } from './_shared.js';

/** Variables that turn certificate checks off, and whether a value does. */
const VARIABLES: Record<string, { off: (v: string) => boolean; what: string }> = {
  NODE_TLS_REJECT_UNAUTHORIZED: { off: (v) => v.trim() === '0', what: 'Node.js accepts any certificate' },
  PYTHONHTTPSVERIFY: { off: (v) => v.trim() === '0', what: 'Python skips certificate checks' },
  GIT_SSL_NO_VERIFY: { off: (v) => v !== '', what: 'git accepts any certificate' },
  NPM_CONFIG_STRICT_SSL: { off: (v) => /^(false|0|no)$/i.test(v.trim()), what: 'npm accepts any certificate' },
  YARN_ENABLE_STRICT_SSL: { off: (v) => /^(false|0)$/i.test(v.trim()), what: 'Yarn accepts any certificate' },
  PIP_TRUSTED_HOST: { off: (v) => v.trim() !== '', what: 'pip skips certificate checks for those hosts' },
  GOINSECURE: { off: (v) => v.trim() !== '', what: 'go fetches those modules without certificate checks' },
};

const FALSE = /^(false|0|no|off)$/i;

/** The argument of a command that turns certificate verification off, with what it does. */
export function insecureArg(cmd: ShellCommand): { arg: string; what: string } | undefined {
  const p = program(cmd);
  const args = argsOf(cmd);
  const ops = operands(cmd).map((o) => o.toLowerCase());
  const find = (pred: (a: string, i: number) => boolean) => args.find(pred);
  let arg: string | undefined;
  const urls = ops.filter((o) => o.includes('://'));
  const local = urls.length > 0 && urls.every((u) => /^[a-z]+:\/\/(localhost|127\.0\.0\.1|\[::1\])([:/]|$)/.test(u));
  if ((p === 'curl' || p === 'wget') && local) return undefined; // a self-signed local endpoint: nothing in between
  if (p === 'curl') {
    arg = find((a) => a === '--insecure' || a === '--proxy-insecure' || (/^-[A-Za-z0-9]/.test(a) && !a.startsWith('--') && shortHas(a, 'k')));
    if (arg) return { arg, what: 'curl accepts any certificate' };
  }
  if (p === 'wget' && (arg = find((a) => a === '--no-check-certificate'))) return { arg, what: 'wget accepts any certificate' };
  if ((p === 'pip' || p === 'pip3' || p === 'uv' || ((p === 'python' || p === 'python3') && args.includes('pip'))) && (arg = find((a) => a === '--trusted-host' || a.startsWith('--trusted-host=') || a === '--allow-insecure-host' || a.startsWith('--allow-insecure-host=')))) {
    return { arg, what: 'pip skips certificate checks for that host' };
  }
  if ((p === 'pip' || p === 'pip3') && ops[0] === 'config' && ops.some((o) => /(^|\.)trusted-host$/.test(o))) return { arg: args.find((a) => /trusted-host$/i.test(a))!, what: 'pip skips certificate checks for that host' };
  if (p === 'npm' || p === 'yarn' || p === 'pnpm') {
    arg = find((a, i) => (/^(--)?strict-ssl=(false|0)$/i.test(a) || (a === '--strict-ssl' && FALSE.test(args[i + 1] ?? '')) || (/^(strict-ssl|enableStrictSsl)$/i.test(a) && FALSE.test(args[i + 1] ?? ''))));
    if (arg) return { arg, what: `${p} accepts any certificate` };
  }
  if (p === 'git') {
    arg = find((a, i) => {
      const m = /^http\.(?:.+\.)?sslverify(?:=(.*))?$/i.exec(a);
      if (!m) return false;
      return m[1] !== undefined ? FALSE.test(m[1]) : FALSE.test(args[i + 1] ?? '');
    });
    if (arg) return { arg, what: 'git accepts any certificate' };
  }
  if (p === 'composer' && (arg = find((a, i) => a === 'disable-tls' && /^(true|1)$/.test(args[i + 1] ?? '')))) return { arg, what: 'Composer downloads without TLS' };
  if (p === 'conda' && (arg = find((a, i) => a === 'ssl_verify' && FALSE.test(args[i + 1] ?? '')))) return { arg, what: 'conda accepts any certificate' };
  arg = find((a) => a === '--insecure-skip-tls-verify' || a === '--insecure-skip-tls-verify=true' || /^--(src-|dest-)?tls-verify=false$/.test(a));
  if (arg) return { arg, what: `${p ?? 'the command'} accepts any certificate` };
  // apt -o Acquire::https::Verify-Peer=false, or the same line echoed into apt.conf.d; wget's check_certificate = off
  arg = cmd.argv.find((a) => /Acquire::https::(?:[^:\s]+::)?Verify-(?:Peer|Host)\W+(?:false|0|no)\b/i.test(a));
  if (arg) return { arg, what: 'APT accepts any certificate' };
  arg = cmd.argv.find((a) => /check_certificate\s*=\s*off/i.test(a));
  if (arg) return { arg, what: 'wget accepts any certificate' };
  return undefined;
}

function shortHas(word: string, letter: string): boolean {
  for (let k = 1; k < word.length; k++) {
    if (word[k] === letter) return true;
    if (CURL_VALUE_OPTIONS.includes(word[k]!)) return false;
  }
  return false;
}

/** Certificate checks turned off: curl -k, wget --no-check-certificate, pip --trusted-host, NODE_TLS_REJECT_UNAUTHORIZED=0... */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'tls-verification-disabled',
    title: 'TLS certificate checks stay on',
    category: 'security',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    const escape = escapeOf(ctx.dockerfile);
    for (const stage of ctx.dockerfile.stages) {
      for (const instr of stage.instructions) {
        if (instr.keyword === 'ENV') {
          for (const p of pairsOf(ctx, instr, escape)) {
            const v = VARIABLES[p.name.toUpperCase()];
            if (v && p.value !== undefined && v.off(p.value)) {
              ctx.report({ span: p.nameSpan, message: `ENV ${p.name}=${p.value}: ${v.what}, in the build and in every container of the image, so a man in the middle can feed it anything. Install the CA certificate instead` });
            }
          }
          continue;
        }
        // A HEALTHCHECK probes the container itself, often a self-signed endpoint: nothing in between
        if (!instr.shell || instr.keyword === 'HEALTHCHECK') continue;
        for (const l of commandsOf(ctx, instr)) {
          const cmd = l.cmd;
          // NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci, export GIT_SSL_NO_VERIFY=1
          const assigned = { ...cmd.assignments };
          if (cmd.argv[0] === 'export' || cmd.argv[0] === 'env') {
            for (const a of cmd.argv.slice(1)) {
              const eq = a.indexOf('=');
              if (eq > 0) assigned[a.slice(0, eq)] = a.slice(eq + 1);
            }
          }
          const variable = Object.entries(assigned).find(([k, val]) => VARIABLES[k.toUpperCase()]?.off(val));
          if (variable) {
            const [name, value] = variable;
            ctx.report({ span: argSpan(ctx, instr, { ...l, offset: -1 }, `${name}=${value}`), message: `${instr.keyword} sets ${name}=${value}: ${VARIABLES[name.toUpperCase()]!.what}, so a man in the middle can feed the build anything. Install the CA certificate instead` });
            continue;
          }
          const bad = insecureArg(cmd);
          if (bad) {
            ctx.report({ span: argSpan(ctx, instr, l, bad.arg), message: `${instr.keyword} turns certificate checks off with ${bad.arg}: ${bad.what}, so a man in the middle can feed the build anything. Install the CA certificate (or fix the proxy) instead` });
          }
        }
      }
    }
  },
  cases: {
    valid: [
      { name: 'verified downloads', code: 'FROM debian:12\nRUN curl -fsSL -H "X-Key: k" https://example.com/a | tar -xz\nRUN wget -q https://example.com/b && pip install --index-url https://pypi.example.com/simple app\n' },
      { name: 'settings left on', code: 'FROM node:20\nENV NODE_TLS_REJECT_UNAUTHORIZED=1\nRUN npm config set strict-ssl true && git config --global http.sslVerify true\n' },
      { name: 'curl -X with a k in its value', code: 'FROM alpine:3.20\nRUN curl -fsS -Xkill https://example.com/x\n' },
      { name: 'a local endpoint with a self-signed certificate', code: 'FROM nginx:1.27\nRUN nginx & sleep 1; curl -k https://localhost:8443/health\n' },
      { name: 'a health check probing the container itself', code: 'FROM nginx:1.27\nARG HEALTHCHECK_URL=https://localhost:8920/health\nHEALTHCHECK CMD curl -Lk -fsS "${HEALTHCHECK_URL}" || exit 1\n' },
    ],
    invalid: [
      {
        name: 'curl, wget, pip, npm, git',
        code: [
          'FROM python:3.12',
          'RUN curl -fsSLk https://internal/ca.crt -o /tmp/ca.crt \\',
          '  && wget --no-check-certificate https://internal/app.tgz',
          'RUN pip install --trusted-host pypi.internal -r requirements.txt',
          'RUN npm config set strict-ssl false; git -c http.sslVerify=false clone https://git.internal/app',
          '',
        ].join('\n'),
        errors: [
          { line: 2, column: 10, message: /^RUN turns certificate checks off with -fsSLk: curl accepts any certificate/ },
          { line: 3, column: 11, message: /with --no-check-certificate: wget/ },
          { line: 4, column: 17, message: /--trusted-host: pip skips certificate checks/ },
          { line: 5, column: 20, message: /strict-ssl: npm accepts any certificate/ },
          { line: 5, column: 45, message: /http\.sslVerify=false: git/ },
        ],
      },
      {
        name: 'pip config, export, APT options',
        code: [
          'FROM debian:12',
          'RUN pip config set global.trusted-host pypi.internal',
          'RUN export NODE_TLS_REJECT_UNAUTHORIZED=0 && npm ci',
          'RUN echo \'Acquire::https::Verify-Peer "false";\' > /etc/apt/apt.conf.d/99insecure',
          '',
        ].join('\n'),
        errors: [
          { line: 2, column: 20, message: /with global\.trusted-host: pip/ },
          { line: 3, column: 12, message: /^RUN sets NODE_TLS_REJECT_UNAUTHORIZED=0/ },
          { line: 4, column: 11, message: /APT accepts any certificate/ },
        ],
      },
      {
        name: 'environment variables',
        code: 'FROM node:20\nENV NODE_TLS_REJECT_UNAUTHORIZED=0 \\\n    PYTHONHTTPSVERIFY=0\nRUN GIT_SSL_NO_VERIFY=1 git clone https://git.internal/x\n',
        errors: [
          { line: 2, column: 5, message: /^ENV NODE_TLS_REJECT_UNAUTHORIZED=0: Node\.js accepts any certificate/ },
          { line: 3, column: 5, message: /^ENV PYTHONHTTPSVERIFY=0/ },
          { line: 4, column: 5, message: /^RUN sets GIT_SSL_NO_VERIFY=1: git accepts any certificate/ },
        ],
      },
    ],
  },
};
