import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { berth, ROOT } from './helpers.js';

/**
 * Seed 003 is an audit of a real project's Docker setup. test/fixtures/seed003 rebuilds that project
 * from the report's own descriptions; berth must find what the report found, from the files alone,
 * and write its report in the report's structure.
 */
const FIXTURE = join(ROOT, 'test', 'fixtures', 'seed003');
const GOLDEN = join(ROOT, 'test', 'golden', 'seed003-report.md');

interface Report {
  findings: { rule: string; file: string; line: number; message: string }[];
}

test('the findings of seed 003 are reported at the right file and line', () => {
  const r = berth(['audit', '--format', 'json', FIXTURE]);
  assert.equal(r.code, 1, 'high findings fail the audit');
  const report = JSON.parse(r.stdout) as Report;
  const at = (rule: string) => report.findings.filter((f) => f.rule === rule).map((f) => `${f.file}:${f.line}`);
  // "Hardcoded Passwords in docker-compose.yml": POSTGRES_PASSWORD and the password in DATABASE_URL.
  assert.deepEqual(at('hardcoded-credentials'), ['docker-compose.yml:15', 'docker-compose.yml:50']);
  // "Database ports exposed to host": 5432 and 6379 on all interfaces.
  assert.deepEqual(at('database-port-exposed'), ['docker-compose.yml:19', 'docker-compose.yml:34']);
  // "Technology stack mismatch": backend/Dockerfile is Python, backend/Dockerfile.prod Node.
  assert.deepEqual(at('mixed-stacks'), ['backend/Dockerfile:3']);
  // "Node 18 (dev) vs Node 20 (prod)".
  assert.deepEqual(at('base-image-drift'), ['frontend/Dockerfile.dev:3']);
  // "Health check paths inconsistent": curl /api/health vs node backend/dist/health-check.js.
  assert.deepEqual(at('healthcheck-disagreement'), ['docker-compose.prod.yml:152']);
  // "./secrets/plex_client_id # May not exist".
  assert.deepEqual(at('compose-secret-file-missing'), ['docker-compose.prod.yml:266']);
  // "install build tools but don't clean up".
  assert.deepEqual(at('build-tools-in-final-stage'), ['frontend/Dockerfile.dev:8']);
  // And nothing about what the report praises: secrets, dumb-init, cap_drop in production.
  assert.deepEqual(at('no-privileged'), []);
  assert.ok(!report.findings.some((f) => f.file === 'docker-compose.prod.yml' && f.rule === 'hardcoded-credentials'));
});

test('the Markdown report has every section of seed 003, and matches its golden file', () => {
  const md = berth(['audit', '--format', 'markdown', '--fail-on', 'none', FIXTURE]).stdout;
  const sections = [
    /^# seed003: Container Configuration Audit$/m,
    /^## Executive Summary$/m,
    /^\*\*Overall Grade: [A-F][+-]? \(\d+(\.\d)?\/10\): .+\*\*$/m,
    /^## Analysis Overview$/m,
    /^\*\*Files Analyzed:\*\*$/m,
    /^## ✅ What's Working Well$/m,
    /^## ⚠️ Issues Found$/m,
    /^### High \(\d+\)$/m,
    /^- `docker-compose\.yml:15`: service "postgres" sets POSTGRES_PASSWORD to a literal value/m,
    /^## 📋 Recommendations$/m,
    /^### Immediate Actions \(High Priority\)$/m,
    /'127\.0\.0\.1:5432:5432' # PostgreSQL/,
    /^## 🎯 Deployment Readiness Score$/m,
    /^\| Category \| Score \| Notes \|$/m,
    /^\| \*\*Security\*\* \| \d+(\.\d)?\/10 \| .+ \|$/m,
    /^\| \*\*Documentation\*\* \| .+ \|$/m,
    /^\*\*Overall Score: \d+(\.\d)?\/10 \([A-F][+-]?\): .+\*\*$/m,
  ];
  for (const s of sections) assert.match(md, s);
  if (process.env.UPDATE_GOLDEN || !existsSync(GOLDEN)) writeFileSync(GOLDEN, md);
  assert.equal(md, readFileSync(GOLDEN, 'utf8'), 'the report changed: review test/golden/seed003-report.md, then UPDATE_GOLDEN=1');
});
