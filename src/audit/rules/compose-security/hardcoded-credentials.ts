import { fix, replaceSpan } from '../../fix-helpers.js';
import type { ComposeRule } from '../../rule.js';
import { spanOf } from '../_spans.js';
import { environment, isSecretName, readsVariable, type EnvValue } from './_shared.js';

/** Values that are settings, not secrets: booleans, durations, paths, hashes. */
const NOT_SECRET_VALUE =
  /^(true|false|yes|no|on|off|enabled?|disabled?|none|null|[01]|\d+(ms|s|m|h|d|w|y)|(\/|\.\.?\/|~\/).*|file:\/\/.*|\$(2[abxy]?|argon2(id|i|d)?|apr1|[156]|y)\$.*|\{(SSHA|SHA|BCRYPT|ARGON2|PBKDF2)[^}]*\}.*)$/i;

/** `scheme://user:password@host` with the password as written. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*):\/\/((?:\$\{[^}]*\}|[^\s:@/'"$]|\$(?!\{))*):((?:\$\{[^}]*\}|[^\s@/'"$]|\$(?!\{))+)@/gi;

/** The ranges of `${...}` expressions (nesting included) in text written in a compose file. */
function interpolations(raw: string): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '$' && raw[i + 1] === '$') {
      i++;
      continue;
    }
    if (raw[i] !== '$' || raw[i + 1] !== '{') continue;
    let depth = 0;
    let j = i + 1;
    for (; j < raw.length; j++) {
      if (raw[j] === '{') depth++;
      else if (raw[j] === '}' && --depth === 0) break;
    }
    out.push([i, j]);
    i = j;
  }
  return out;
}

/** A valid compose variable name derived from an environment name. */
function variableName(name: string): string {
  const v = name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[A-Z_]/.test(v) ? v : `_${v}`;
}

/** Plain-text passwords and tokens in `environment`, and passwords inside connection URLs (seed 003). */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'hardcoded-credentials',
    title: 'No literal credentials in environment',
    category: 'security',
    severity: 'high',
    fixable: 'unsafe',
    profiles: ['recommended', 'rootless-podman', 'strict'],
    sensitive: true,
  },
  service(ctx) {
    const env = environment(ctx);
    if (env.length === 0) return ctx.skip(); // no environment: nothing to judge
    const svc = ctx.service.name;
    const literals = new Map<string, string>(); // literal secret value → its variable name, to reuse in URLs
    const urls: { e: EnvValue; raw: NonNullable<EnvValue['raw']> }[] = [];
    for (const e of env) {
      if (!e.value || !e.raw) continue;
      const raw = e.raw;
      if (new RegExp(URL_PASSWORD.source, 'i').test(raw.text)) {
        urls.push({ e, raw });
        continue;
      }
      if (!isSecretName(e.name) || readsVariable(raw.text) || raw.text.trim() === '' || NOT_SECRET_VALUE.test(e.value.trim())) continue;
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(e.value)) continue; // a URL without a password
      const variable = variableName(e.name);
      literals.set(e.value, variable);
      ctx.report({
        span: spanOf(ctx, raw.offset, raw.end),
        message: `service "${svc}" sets ${e.name} to a literal value: anyone who can read the compose file or its history has it; move it to .env (kept out of git) or a secret file`,
        fix: fix(`Replace the value with \${${variable}:?...} and set ${variable} in .env`, replaceSpan(spanOf(ctx, raw.offset, raw.end), required(variable))),
      });
    }
    for (const { e, raw } of urls) {
      const defaults = interpolations(raw.text);
      for (const m of raw.text.matchAll(URL_PASSWORD)) {
        const password = m[3]!;
        if (readsVariable(password)) continue;
        if (defaults.some(([a, b]) => m.index > a && m.index < b)) continue; // `${DATABASE_URL:-postgres://u:p@db}`: a default meant to be overridden
        const start = raw.offset + m.index + m[0].length - 1 - password.length;
        const span = spanOf(ctx, start, start + password.length);
        const base = variableName(e.name).replace(/_?(URL|URI|DSN|CONNECTION_STRING|CONN|CONNECTION|ADDR|ADDRESS)$/, '');
        const variable = literals.get(decodeURIComponentSafe(password)) ?? literals.get(password) ?? `${base || variableName(e.name)}_PASSWORD`;
        ctx.report({
          span,
          message: `service "${svc}" writes the password of a ${m[1]!.toLowerCase()}:// URL in ${e.name} in plain text; read it from a variable set in .env (kept out of git)`,
          fix: fix(`Replace the password with \${${variable}:?...} and set ${variable} in .env`, replaceSpan(span, required(variable))),
        });
      }
    }
  },
  cases: {
    valid: [
      { code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n      POSTGRES_USER: app\n' },
      {
        name: 'files, settings, hashes, empty values, URLs without passwords',
        code:
          'services:\n  app:\n    image: app:1\n    environment:\n      - POSTGRES_PASSWORD_FILE=/run/secrets/db_password\n      - PASSWORD_MIN_LENGTH=12\n      - JWT_EXPIRES_IN=7d\n      - MYSQL_RANDOM_ROOT_PASSWORD=yes\n      - SECRET_KEY=\n      - TOKEN\n      - ADMIN_TOKEN=$$argon2id$$v=19$$m=65540,t=3,p=4$$c2FsdA$$aGFzaA\n      - OAUTH_TOKEN_URL=https://auth.example.com/token\n      - DATABASE_URL=postgresql://app:${DB_PASSWORD}@db:5432/app\n      - REDIS_URL=redis://cache:6379/0\n      - AMQP_URL=${AMQP_URL:-amqp://plane:plane@mq:5672/plane}\n      - AUTHENTIK_SECRET_KEY=file:///run/secrets/authentik_key\n',
      },
    ],
    invalid: [
      {
        name: 'seed 003: list syntax',
        code:
          'services:\n  postgres:\n    image: postgres:15-alpine\n    environment:\n      - POSTGRES_USER=medianest\n      - POSTGRES_PASSWORD=medianest_password\n  app:\n    image: medianest/backend:1\n    environment:\n      - POSTGRES_PASSWORD=medianest_password\n      - DATABASE_URL=postgresql://medianest:medianest_password@postgres:5432/medianest\n',
        errors: [
          { line: 6, column: 27, message: /service "postgres" sets POSTGRES_PASSWORD to a literal value/ },
          { line: 10, column: 27, message: /service "app" sets POSTGRES_PASSWORD/ },
          { line: 11, column: 45, message: /password of a postgresql:\/\/ URL in DATABASE_URL/ },
        ],
        output:
          'services:\n  postgres:\n    image: postgres:15-alpine\n    environment:\n      - POSTGRES_USER=medianest\n      - POSTGRES_PASSWORD=${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}\n  app:\n    image: medianest/backend:1\n    environment:\n      - POSTGRES_PASSWORD=${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}\n      - DATABASE_URL=postgresql://medianest:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}@postgres:5432/medianest\n',
      },
      {
        name: 'map syntax, quotes, comments, URL forms, placeholders',
        code:
          'x-env: &env\n  SECRET_KEY: "changeme" # fill in later\nservices:\n  app:\n    image: app:1\n    environment:\n      <<: *env\n      REDIS_URL: "redis://:s3cret@redis:6379"\n      BROKER_URL: amqp://guest:guest@rabbit:5672/ # dev only\n      GF_SECURITY_ADMIN_PASSWORD: \'admin\'\n      API_KEY: 12345\n',
        errors: [
          { line: 2, column: 16, message: /service "app" sets SECRET_KEY/ },
          { line: 8, column: 28, message: /redis:\/\/ URL in REDIS_URL/ },
          { line: 9, column: 32, message: /amqp:\/\/ URL in BROKER_URL/ },
          { line: 10, column: 36, message: /GF_SECURITY_ADMIN_PASSWORD/ },
          { line: 11, column: 16, message: /API_KEY/ },
        ],
        output:
          'x-env: &env\n  SECRET_KEY: "${SECRET_KEY:?set SECRET_KEY in .env}" # fill in later\nservices:\n  app:\n    image: app:1\n    environment:\n      <<: *env\n      REDIS_URL: "redis://:${REDIS_PASSWORD:?set REDIS_PASSWORD in .env}@redis:6379"\n      BROKER_URL: amqp://guest:${BROKER_PASSWORD:?set BROKER_PASSWORD in .env}@rabbit:5672/ # dev only\n      GF_SECURITY_ADMIN_PASSWORD: \'${GF_SECURITY_ADMIN_PASSWORD:?set GF_SECURITY_ADMIN_PASSWORD in .env}\'\n      API_KEY: ${API_KEY:?set API_KEY in .env}\n',
      },
    ],
  },
};

/**
 * The fix moves the value out of the file but cannot write it anywhere (a fix edits one file), so the
 * variable is required: compose refuses to start until it is set, rather than starting with a blank password.
 */
function required(variable: string): string {
  return `\${${variable}:?set ${variable} in .env}`;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
