import type { DockerfileModel, Stage } from '../../../dockerfile/model.js';
import { program } from '../../../dockerfile/shell.js';
import type { ProjectRule } from '../../rule.js';
import { lineage } from '../_stages.js';
import { componentKey, imageFamily, rel } from './_shared.js';

export type Stack = 'Node.js' | 'Python' | 'Go' | 'Rust' | 'Java' | 'PHP' | 'Ruby' | '.NET' | 'Elixir';

const IMAGE_STACKS: [RegExp, Stack][] = [
  [/(^|-)(node|nodejs)\d*($|-)|^bun$/, 'Node.js'],
  [/(^|-)(python|pypy)\d*($|-)|^uv$/, 'Python'],
  [/^(golang|go)$/, 'Go'],
  [/^(rust|muslrust)$/, 'Rust'],
  [/^(openjdk|eclipse-temurin|amazoncorretto|maven|gradle|ibmjava|adoptopenjdk|sapmachine|ibm-semeru-runtimes)$|^java\d*($|-)/, 'Java'],
  [/^(php|composer)($|-)/, 'PHP'],
  [/^j?ruby$/, 'Ruby'],
  [/^(elixir|erlang)$/, 'Elixir'],
];

const TOOL_STACKS: Record<string, Stack> = {
  node: 'Node.js', npm: 'Node.js', npx: 'Node.js', yarn: 'Node.js', pnpm: 'Node.js', corepack: 'Node.js', bun: 'Node.js',
  python: 'Python', python3: 'Python', pip: 'Python', pip3: 'Python', poetry: 'Python', pipenv: 'Python', uv: 'Python', gunicorn: 'Python', uvicorn: 'Python', flask: 'Python',
  go: 'Go',
  cargo: 'Rust', rustup: 'Rust', rustc: 'Rust',
  mvn: 'Java', mvnw: 'Java', gradle: 'Java', gradlew: 'Java', java: 'Java',
  composer: 'PHP', php: 'PHP', 'php-fpm': 'PHP', 'docker-php-ext-install': 'PHP',
  bundle: 'Ruby', bundler: 'Ruby', gem: 'Ruby', rails: 'Ruby', ruby: 'Ruby', rake: 'Ruby',
  dotnet: '.NET',
  mix: 'Elixir',
};

function imageStack(stage: Stage): Stack | undefined {
  const family = imageFamily(stage.from);
  if (family === undefined) return undefined;
  if (/(^|\/)dotnet\//.test(family)) return '.NET';
  const last = family.slice(family.lastIndexOf('/') + 1);
  return IMAGE_STACKS.find(([re]) => re.test(last))?.[1];
}

function toolStacks(stages: Stage[]): Set<Stack> {
  const out = new Set<Stack>();
  for (const s of stages) {
    for (const i of s.instructions) {
      for (const cmd of i.shell ?? []) {
        const p = program(cmd);
        const stack = p === undefined ? undefined : TOOL_STACKS[p];
        if (stack) out.add(stack);
      }
    }
  }
  return out;
}

/** The stack of a stage: its base image family, else the one stack its tools use. */
function stageStack(stage: Stage): { stack: Stack; stage: Stage } | 'unknown' | 'ambiguous' {
  const chain = lineage(stage);
  for (const s of chain) {
    if (s.from.stage) continue;
    if (s.from.unresolved.length) return 'unknown'; // FROM ${BASE}: cannot tell
    const stack = imageStack(s);
    if (stack) return { stack, stage: s };
  }
  const tools = toolStacks(chain);
  if (tools.size === 1) return { stack: [...tools][0]!, stage };
  return tools.size > 1 ? 'ambiguous' : 'unknown';
}

/**
 * The technology stack of the image a Dockerfile builds by default: the final stage's base image
 * family, else the tools it runs, else the stack of the stages it copies its files from (a Go
 * binary in scratch, a Node.js build served by nginx). Reported at the FROM that decided it.
 */
export function stackOf(model: DockerfileModel): { stack: Stack; stage: Stage } | undefined {
  const final = model.stages[model.stages.length - 1];
  if (!final) return undefined;
  const direct = stageStack(final);
  if (direct !== 'unknown') return direct === 'ambiguous' ? undefined : direct;
  const copied = new Set<Stack>();
  for (const s of lineage(final)) {
    for (const i of s.instructions) {
      const from = i.keyword === 'COPY' ? i.flags.find((f) => f.name === 'from')?.value : undefined;
      if (!from) continue;
      const source = /^\d+$/.test(from) ? model.stages[Number(from)] : model.stages.find((x) => x.name === from.toLowerCase());
      if (!source || source === s) continue;
      const st = stageStack(source);
      if (typeof st === 'object') copied.add(st.stack);
    }
  }
  return copied.size === 1 ? { stack: [...copied][0]!, stage: final } : undefined;
}

/** Dockerfiles of one component built on different stacks: one of them is stale (seed 003's "Critical" finding). */
export const rule: ProjectRule = {
  target: 'project',
  meta: {
    id: 'mixed-stacks',
    title: 'Dockerfiles of one component agree on the technology stack',
    category: 'architecture',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    const all = ctx.dockerfiles.map((model) => ({ model, found: stackOf(model) }));
    const projectCount = new Map<Stack, number>();
    for (const { found } of all) if (found) projectCount.set(found.stack, (projectCount.get(found.stack) ?? 0) + 1);
    const groups = new Map<string, { model: DockerfileModel; stack: Stack; stage: Stage }[]>();
    for (const { model, found } of all) {
      if (!found) continue;
      const key = componentKey(model.file);
      groups.set(key, [...(groups.get(key) ?? []), { model, ...found }]);
    }
    let compared = false;
    for (const members of groups.values()) {
      if (members.length < 2) continue;
      compared = true;
      const count = new Map<Stack, number>();
      for (const m of members) count.set(m.stack, (count.get(m.stack) ?? 0) + 1);
      if (count.size < 2) continue;
      // The majority in the component; a tie is broken by the stack of the rest of the project.
      const most = Math.max(...count.values());
      let leaders = [...count.keys()].filter((s) => count.get(s) === most);
      if (leaders.length > 1) {
        const best = Math.max(...leaders.map((s) => projectCount.get(s) ?? 0));
        const tied = leaders.filter((s) => projectCount.get(s) === best);
        if (tied.length === 1) leaders = tied;
        else leaders = [];
      }
      for (const m of members) {
        if (leaders.includes(m.stack)) continue;
        const others = members.filter((o) => o.stack !== m.stack);
        const list = others.map((o) => `${rel(ctx, o.model.file)} (${o.stack})`).join(', ');
        ctx.report({
          span: m.stage.from.span,
          message: `${rel(ctx, m.model.file)} builds a ${m.stack} image, but ${list} in the same component ${others.length > 1 ? 'build' : 'builds'} another stack: one of them is stale or builds a different application; align them or move one out`,
        });
      }
    }
    if (!compared) ctx.skip();
  },
  cases: {
    valid: [
      {
        name: 'dev and prod variants on one stack; different components in one folder',
        files: {
          'frontend/Dockerfile': 'FROM node:20-alpine AS build\nRUN npm ci && npm run build\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n',
          'frontend/Dockerfile.dev': 'FROM node:20-alpine\nCMD ["npm", "run", "dev"]\n',
          'docker/api.Dockerfile': 'FROM golang:1.22 AS build\nRUN go build -o /api ./cmd/api\nFROM scratch\nCOPY --from=build /api /api\n',
          'docker/web.Dockerfile': 'FROM python:3.12-slim\nRUN pip install flask\n',
        },
      },
      {
        name: 'unknown stacks are not compared',
        files: {
          'app/Dockerfile': 'ARG BASE\nFROM ${BASE}\n',
          'app/Dockerfile.prod': 'FROM alpine:3.20\nRUN apk add --no-cache curl\n',
          'app/Dockerfile.dev': 'FROM ruby:3.3\n',
        },
      },
    ],
    invalid: [
      {
        name: 'seed 003: Python backend/Dockerfile vs Node.js backend/Dockerfile.prod, tie broken by the project',
        files: {
          'Dockerfile': 'FROM node:20-alpine AS shared-builder\nRUN npm ci\nFROM node:20-alpine\nCMD ["node", "backend/dist/server.js"]\n',
          'backend/Dockerfile': '# Flask API\nFROM python:3.11-slim\nRUN pip install --no-cache-dir -r requirements.txt\nCMD ["flask", "run"]\n',
          'backend/Dockerfile.prod': 'FROM node:20-alpine AS builder\nRUN npm ci && npm run build\nFROM alpine:3.20\nRUN apk add --no-cache nodejs\nCOPY --from=builder /app/dist /app/dist\nCMD ["node", "/app/dist/server.js"]\n',
        },
        errors: [{ file: 'backend/Dockerfile', line: 2, column: 6, message: /backend\/Dockerfile builds a Python image, but backend\/Dockerfile\.prod \(Node\.js\) in the same component builds another stack/ }],
      },
      {
        name: 'minority by count; a final stage FROM an earlier stage',
        files: {
          'api/Dockerfile': 'FROM golang:1.22 AS build\nFROM build AS final\n',
          'api/Dockerfile.dev': 'FROM golang:1.22\nCMD ["go", "run", "."]\n',
          'api/Dockerfile.prod': 'FROM debian:12 AS base\nRUN apt-get update && apt-get install -y python3\nFROM base\nRUN pip3 install -r requirements.txt\n',
        },
        errors: [{ file: 'api/Dockerfile.prod', line: 3, column: 6, message: /api\/Dockerfile\.prod builds a Python image, but api\/Dockerfile \(Go\), api\/Dockerfile\.dev \(Go\) in the same component build another stack/ }],
      },
    ],
  },
};
