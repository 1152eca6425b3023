import type { Instruction, Stage } from '../../../dockerfile/model.js';
import type { DockerfileRule } from '../../rule.js';
import { spanOf } from '../_spans.js';
import { lineage } from '../_stages.js';
import { argsStart, copySources, escapeOf, pairsOf, wordSpan } from './_shared.js';

/** Last words that make a name a secret: DB_PASSWORD, GITHUB_TOKEN, JWT_SECRET, API_KEY... */
const SECRET_WORDS = new Set(['PASSWORD', 'PASSWD', 'PASSPHRASE', 'SECRET', 'TOKEN', 'APIKEY', 'CREDENTIALS', 'CREDS']);
/** KEY is a secret only after one of these (GPG_KEY and PUBKEY are public). */
const KEY_KINDS = new Set(['API', 'PRIVATE', 'ACCESS', 'SECRET', 'MASTER', 'ENCRYPTION', 'SIGNING', 'AUTH', 'CLIENT', 'APP', 'LICENSE', 'SESSION', 'SERVICE', 'ACCOUNT']);

/** Whether a variable name looks like it holds a secret. Names ending in _FILE, _PATH, _ID... do not. */
export function secretName(name: string): boolean {
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  const last = parts[parts.length - 1];
  const prev = parts[parts.length - 2];
  if (!last) return false;
  if (SECRET_WORDS.has(last)) return true;
  if (last === 'PASS' || last === 'PWD') return prev !== undefined && prev !== 'OLD' && name !== 'PWD' && name !== 'OLDPWD';
  if (last === 'KEY') return prev !== undefined && KEY_KINDS.has(prev);
  if (last === 'BASE') return prev === 'KEY' && parts[parts.length - 3] === 'SECRET'; // Rails SECRET_KEY_BASE
  return false;
}

/** A file copied from the build context that holds a secret: what to call it, or undefined. */
export function secretFile(path: string): string | undefined {
  const p = path.replace(/\/+$/, '');
  const base = p.slice(p.lastIndexOf('/') + 1);
  const b = base.toLowerCase();
  if (b === '.env' || /^\.env(\.[\w-]+)?\.local$/.test(b)) return 'an environment file with secrets';
  if (/^id_(rsa|dsa|ecdsa|ed25519)$/.test(b)) return 'an SSH private key';
  if (/\.(key|p12|pfx)$/.test(b) || (/\.pem$/.test(b) && /key|priv/.test(b))) return 'a private key';
  if (b === '.netrc' || b === '_netrc') return 'login credentials';
  if (b === '.pypirc' || b === '.git-credentials' || b === '.dockercfg') return 'registry credentials';
  if (b === 'credentials' || b === 'credentials.json' || /(^|\/)\.docker\/config\.json$/.test(p)) return 'credentials';
  return undefined;
}

const SECRET_ADVICE = 'pass it to the RUN that needs it with RUN --mount=type=secret';

/** ARG and ENV with secret-looking names, and secret files copied into the image. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'secrets-in-build',
    title: 'No secrets in build arguments, environment or copied files',
    category: 'security',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
    sensitive: true,
  },
  check(ctx) {
    const df = ctx.dockerfile;
    const escape = escapeOf(df);
    const inImage = new Set<Stage>(ctx.finalStage ? lineage(ctx.finalStage) : []);
    const reportedArgs = new Set<string>();
    const defined = new Set<string>();

    const checkArg = (instr: Instruction, stage: Stage | undefined) => {
      for (const p of pairsOf(ctx, instr, escape)) {
        defined.add(p.name);
        if (!secretName(p.name)) continue;
        if (p.value !== undefined && p.value !== '') {
          ctx.report({
            span: p.nameSpan,
            message: `ARG ${p.name} has a secret-looking default written in the Dockerfile: it is in the source and in the image history; ${SECRET_ADVICE}`,
          });
          reportedArgs.add(p.name);
        } else if (stage && inImage.has(stage) && !reportedArgs.has(p.name)) {
          ctx.report({
            span: p.nameSpan,
            message: `ARG ${p.name} looks like a secret: build arguments are recorded in the image history and provenance, where anyone who pulls the image can read them; ${SECRET_ADVICE}`,
          });
          reportedArgs.add(p.name);
        }
      }
    };

    for (const instr of df.preamble) if (instr.keyword === 'ARG') checkArg(instr, undefined);
    for (const stage of df.stages) {
      for (const instr of stage.instructions) {
        if (instr.keyword === 'ARG') checkArg(instr, stage);
        else if (instr.keyword === 'ENV') {
          for (const p of pairsOf(ctx, instr, escape)) {
            const value = (p.value ?? '').trim();
            const ref = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(value);
            const was = defined.has(p.name);
            defined.add(p.name);
            if (!secretName(p.name) || value === '') continue;
            if (ref) {
              // ENV TOKEN=$TOKEN: only a leak when the build argument exists, and only in the image
              if (!defined.has(ref[1]!) || !inImage.has(stage) || (ref[1] === p.name && !was)) continue;
              ctx.report({
                span: p.nameSpan,
                message: `ENV ${p.name} copies the build argument $${ref[1]} into the image's environment, where docker inspect shows it; pass it at run time (compose secrets or environment), or ${SECRET_ADVICE}`,
              });
              continue;
            }
            ctx.report({
              span: p.nameSpan,
              message: `ENV ${p.name} sets a literal secret: it is in the source and in the image's environment, where docker inspect shows it; pass it at run time (compose secrets or environment), or ${SECRET_ADVICE}`,
            });
          }
        } else if ((instr.keyword === 'COPY' || instr.keyword === 'ADD') && inImage.has(stage)) {
          if (instr.flags.some((f) => f.name === 'from')) continue; // from another stage or image, not the build context
          let from = argsStart(instr);
          for (const src of copySources(instr, false)) {
            const what = secretFile(src);
            const span = wordSpan(ctx, instr, src, from);
            if (span.offset !== undefined && span !== instr.keywordSpan) from = span.endOffset ?? from;
            if (!what) continue;
            ctx.report({
              span: span === instr.keywordSpan ? spanOf(ctx, argsStart(instr), argsStart(instr)) : span,
              message: `${instr.keyword} puts ${src} (${what}) into an image layer: it stays there even if a later RUN deletes it; ${SECRET_ADVICE}`,
            });
          }
        }
      }
    }
  },
  cases: {
    valid: [
      { name: 'names that point at secrets, public keys, no values', code: 'FROM alpine:3.20\nENV DB_PASSWORD_FILE=/run/secrets/db PASSWORD_MIN_LENGTH=12\nENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\nENV AWS_ACCESS_KEY_ID=AKIA0000\n' },
      { name: 'an empty value', code: 'FROM alpine:3.20\nENV API_TOKEN=""\n' },
      { name: 'a secret mount', code: 'FROM node:20\nRUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci\n' },
      { name: 'argument without default in a build stage only', code: 'FROM node:20 AS build\nARG NPM_TOKEN\nRUN npm ci\nFROM node:20-slim\nCOPY --from=build /app /app\n' },
      { name: 'a heredoc whose content names a key file', code: 'FROM alpine:3.20\nCOPY <<EOF /etc/app.conf\nkey_file = /run/secrets/server.key\nEOF\n' },
      { name: 'public certificates and example env files', code: 'FROM nginx:1.27\nCOPY ca.pem .env.example /etc/app/\nCOPY dhparams.pem /etc/nginx/\n' },
    ],
    invalid: [
      {
        name: 'literal ENV secrets, both syntaxes',
        code: 'FROM postgres:16\nENV POSTGRES_USER=app \\\n    POSTGRES_PASSWORD="s3cret"\nENV JWT_SECRET changeme\n',
        errors: [
          { line: 3, column: 5, message: /^ENV POSTGRES_PASSWORD sets a literal secret/ },
          { line: 4, column: 5, message: /^ENV JWT_SECRET sets a literal secret/ },
        ],
      },
      {
        name: 'build arguments',
        code: 'ARG GITHUB_TOKEN=ghp_0123456789\nFROM node:20\nARG NPM_TOKEN\nARG NPM_TOKEN\nENV NPM_TOKEN=${NPM_TOKEN}\nRUN npm ci\n',
        errors: [
          { line: 1, column: 5, message: /^ARG GITHUB_TOKEN has a secret-looking default/ },
          { line: 3, column: 5, message: /^ARG NPM_TOKEN looks like a secret: build arguments are recorded in the image history/ },
          { line: 5, column: 5, message: /^ENV NPM_TOKEN copies the build argument \$NPM_TOKEN/ },
        ],
      },
      {
        name: 'secret files copied into the final image',
        code: 'FROM python:3.12 AS build\nCOPY .env /src/\nFROM python:3.12-slim\nCOPY --chown=app id_rsa certs/server.key /home/app/\nADD .aws/credentials /root/.aws/\nCOPY --from=build /src /src\n',
        errors: [
          { line: 4, column: 18, message: /^COPY puts id_rsa \(an SSH private key\) into an image layer/ },
          { line: 4, column: 25, message: /certs\/server\.key \(a private key\)/ },
          { line: 5, column: 5, message: /^ADD puts \.aws\/credentials \(credentials\)/ },
        ],
      },
    ],
  },
};
