import type { Instruction } from '../../../dockerfile/model.js';
import { operands, parseShell, program, type ShellCommand } from '../../../dockerfile/shell.js';
import { spanAt } from '../../../source/tree.js';
import type { ProjectRule } from '../../rule.js';
import { builtStage, componentKey, dockerfileOf, inherited, rel, reportOnce, unsetAt } from './_shared.js';

/** A health check command: as written (for messages) and as simple commands. */
interface Probe {
  shown: string;
  commands: ShellCommand[];
}

interface Endpoint {
  /** '*' when it depends on a variable. */
  port: string;
  path: string;
}

function fromArgv(argv: string[]): ShellCommand[] {
  const c = argv.indexOf('-c');
  if (c > 0 && /(^|\/)(ba|da|a|z)?sh$/.test(argv[0] ?? '') && argv[c + 1] !== undefined) return parseShell(argv[c + 1]!);
  return [{ argv, assignments: {} }];
}

/** HEALTHCHECK [flags] CMD ... ; 'none' for HEALTHCHECK NONE. */
export function dockerfileProbe(instr: Instruction): Probe | 'none' | undefined {
  const v = instr.args.replace(/^(\s*--\S+)+\s*/, '').trim();
  if (/^none$/i.test(v)) return 'none';
  const m = /^cmd\s+([\s\S]+)$/i.exec(v);
  if (!m) return undefined;
  const body = m[1]!.trim();
  if (body.startsWith('[')) {
    try {
      const argv = JSON.parse(body) as unknown;
      if (Array.isArray(argv) && argv.every((a) => typeof a === 'string')) return { shown: argv.join(' '), commands: fromArgv(argv) };
    } catch {
      // not JSON: Docker runs it with a shell
    }
  }
  return { shown: body, commands: parseShell(body) };
}

/** A compose `healthcheck.test` in its canonical form: ["CMD", ...] or ["CMD-SHELL", script]. */
export function composeProbe(test: string[]): Probe | undefined {
  if (test[0] === 'CMD' && test.length > 1) return { shown: test.slice(1).join(' '), commands: fromArgv(test.slice(1)) };
  if (test[0] === 'CMD-SHELL' && test.length > 1) {
    const script = test.slice(1).join(' ');
    return { shown: script, commands: parseShell(script) };
  }
  return undefined;
}

const LOCAL = /^(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(:[^/\s]*)?(\/\S*)?$/i;

function endpoint(scheme: string, rest: string): Endpoint {
  const cut = rest.search(/[/?#]/);
  const authority = cut < 0 ? rest : rest.slice(0, cut);
  let path = cut < 0 ? '/' : rest.slice(cut).replace(/[?#].*$/, '') || '/';
  if (path.length > 1) path = path.replace(/\/+$/, '');
  const colon = authority.lastIndexOf(':');
  let port = colon > authority.lastIndexOf(']') ? authority.slice(colon + 1) : '';
  if (port === '') port = scheme === 'https' ? '443' : '80';
  if (port.includes('$')) port = '*';
  if (path.includes('$')) path = '*';
  return { port, path };
}

/** The HTTP endpoints a probe requests: URLs anywhere in its words, and bare localhost:port/path arguments. */
export function endpoints(p: Probe): Endpoint[] {
  const out: Endpoint[] = [];
  for (const cmd of p.commands) {
    for (const word of cmd.argv) {
      let found = false;
      for (const m of word.matchAll(/\b(https?):\/\/([^\s'"`)\]]+)/gi)) {
        out.push(endpoint(m[1]!.toLowerCase(), m[2]!));
        found = true;
      }
      if (!found && LOCAL.test(word)) out.push(endpoint('http', word));
    }
  }
  return out;
}

/** What a probe runs, without flags, `|| exit 1`, and with paths reduced to file names. */
function signature(p: Probe): string {
  return p.commands
    .filter((c) => !['exit', 'true', 'false'].includes(program(c) ?? ''))
    .map((c) => [program(c), ...operands(c).map((a) => a.slice(a.lastIndexOf('/') + 1))].join(' '))
    .join(' && ');
}

/** Same endpoint (path, and port when `ports`), or the same command when neither is HTTP. */
export function agree(a: Probe, b: Probe, ports: boolean): boolean {
  const ea = endpoints(a);
  const eb = endpoints(b);
  if (ea.length && eb.length) {
    return ea.some((x) => eb.some((y) => (x.path === y.path || x.path === '*' || y.path === '*') && (!ports || x.port === y.port || x.port === '*' || y.port === '*')));
  }
  if (ea.length || eb.length) return false;
  return signature(a) === signature(b);
}

/** The image's HEALTHCHECK and the compose healthcheck (or two variants of one image) check different things. */
export const rule: ProjectRule = {
  target: 'project',
  meta: {
    id: 'healthcheck-disagreement',
    title: 'Health checks of one service agree between Dockerfile and compose',
    category: 'monitoring',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let compared = false;
    const report = reportOnce(ctx);
    // 1. A service built from a Dockerfile: compose's healthcheck.test against the built stage's HEALTHCHECK.
    for (const ref of ctx.builds) {
      const hc = ref.service.config.healthcheck;
      if (!hc?.test || hc.disable === true) continue;
      const { model } = dockerfileOf(ctx, ref);
      const stage = model ? builtStage(model, ref.target) : undefined;
      const instr = stage ? inherited(stage, 'HEALTHCHECK') : undefined;
      if (!instr) continue;
      const image = dockerfileProbe(instr);
      const mine = composeProbe(hc.test);
      if (!mine || !image || image === 'none') continue;
      const span = spanAt(ref.service.node, ['healthcheck', 'test']);
      if (unsetAt(ctx, ref.project, span).length) {
        ctx.skip();
        continue;
      }
      compared = true;
      if (agree(mine, image, true)) continue;
      const where = `${rel(ctx, instr.span.file)}:${instr.span.line}${stage!.name ? `, stage "${stage!.name}"` : ''}`;
      report({
        span,
        message: `service "${ref.service.name}" checks health with \`${mine.shown}\`, but the image it builds (${where}) checks \`${image.shown}\`: two definitions of "healthy" for one service; keep one`,
      });
    }
    // 2. Variants of one image in one folder (Dockerfile, Dockerfile.prod): their final HEALTHCHECKs.
    const groups = new Map<string, { file: string; instr: Instruction; probe: Probe }[]>();
    for (const model of [...ctx.dockerfiles].sort((a, b) => a.file.localeCompare(b.file))) {
      const final = model.stages[model.stages.length - 1];
      const instr = final ? inherited(final, 'HEALTHCHECK') : undefined;
      const probe = instr ? dockerfileProbe(instr) : undefined;
      if (!instr || !probe || probe === 'none') continue;
      const key = componentKey(model.file);
      groups.set(key, [...(groups.get(key) ?? []), { file: model.file, instr, probe }]);
    }
    for (const [first, ...others] of groups.values()) {
      if (others.length === 0) continue;
      compared = true;
      for (const o of others) {
        if (agree(o.probe, first!.probe, false)) continue;
        report({
          span: o.instr.argsSpan,
          message: `${rel(ctx, o.file)} checks health with \`${o.probe.shown}\`, but ${rel(ctx, first!.file)}:${first!.instr.span.line} checks \`${first!.probe.shown}\` for the same image: standardise the health check and its endpoint`,
        });
      }
    }
    if (!compared) ctx.skip();
  },
  cases: {
    valid: [
      {
        name: 'same endpoint written differently; Dockerfile variants checking one path on different ports',
        files: {
          'compose.yml': 'services:\n  api:\n    build: ./api\n    healthcheck:\n      test: ["CMD", "wget", "-qO-", "http://127.0.0.1:4000/api/health/"]\n',
          'api/Dockerfile': 'FROM node:20-alpine\nHEALTHCHECK --interval=30s \\\n  CMD curl -fsS http://localhost:4000/api/health || exit 1\n',
          'api/Dockerfile.dev': 'FROM node:20-alpine\nHEALTHCHECK CMD curl -f localhost:3000/api/health\n',
        },
      },
      {
        name: 'inherited HEALTHCHECK through a stage; variable port; unset compose variable; no compose test',
        files: {
          'compose.yml':
            'services:\n  web:\n    build:\n      context: .\n      target: prod\n    healthcheck:\n      test: curl -f http://localhost:$${PORT}/health\n  db:\n    build: .\n    healthcheck:\n      test: curl -f http://localhost:${DB_PORT}/other\n  worker:\n    build: .\n    healthcheck:\n      interval: 10s\n',
          'Dockerfile': 'FROM python:3.12-slim AS base\nHEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen(\'http://localhost:8000/health\')"]\nFROM base AS prod\n',
        },
      },
    ],
    invalid: [
      {
        name: 'seed 003: curl /api/health in compose vs node health-check.js in the root Dockerfile',
        files: {
          'docker-compose.yml':
            'services:\n  backend:\n    build:\n      context: .\n      target: backend-production\n    healthcheck:\n      test: ["CMD", "curl", "-f", "http://localhost:4000/api/health"] # same as backend/Dockerfile.prod\n      interval: 30s\n',
          'Dockerfile': 'FROM node:20-alpine AS backend-production\nHEALTHCHECK --interval=30s --timeout=3s CMD node backend/dist/health-check.js\nFROM nginx:1.27 AS frontend\n',
        },
        errors: [
          {
            file: 'docker-compose.yml',
            line: 7,
            column: 13,
            message: /service "backend" checks health with `curl -f http:\/\/localhost:4000\/api\/health`, but the image it builds \(Dockerfile:2, stage "backend-production"\) checks `node backend\/dist\/health-check.js`/,
          },
        ],
      },
      {
        name: 'different port in compose; variants with different paths',
        files: {
          'compose.yml': 'services:\n  web:\n    build: ./web\n    healthcheck:\n      test: wget -qO- http://localhost:8080/healthz || exit 1\n',
          'web/Dockerfile': 'FROM nginx:1.27\nHEALTHCHECK CMD wget -qO- http://localhost/healthz || exit 1\n',
          'web/Dockerfile.prod': 'FROM nginx:1.27\nHEALTHCHECK --retries=3 CMD ["curl", "-f", "http://localhost/status"]\n',
        },
        errors: [
          { file: 'compose.yml', line: 5, column: 13, message: /checks `wget -qO- http:\/\/localhost\/healthz \|\| exit 1`/ },
          { file: 'web/Dockerfile.prod', line: 2, column: 25, message: /web\/Dockerfile\.prod checks health with `curl -f http:\/\/localhost\/status`, but web\/Dockerfile:2 checks/ },
        ],
      },
    ],
  },
};
