import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fixedTexts } from '../src/audit/apply-fixes.js';
import { enabledRules } from '../src/audit/config.js';
import { runAudit, type AuditInput, type AuditResult } from '../src/audit/engine.js';
import { RULES } from '../src/audit/rules/index.js';
import { loadCompose } from '../src/compose/load.js';
import { parseYaml } from '../src/source/yaml.js';
import { FileSource } from '../src/source/files.js';
import { CORPUS, removeTree, ROOT, sharedOrSkip, tempTree } from './helpers.js';

/**
 * The whole corpus, audited with every rule of every profile, style rules too. A golden summary of
 * findings per rule is checked in, so any change in behaviour shows in review; regenerate it with
 * UPDATE_GOLDEN=1 after a deliberate change.
 */
const GOLDEN = join(ROOT, 'test', 'golden', 'corpus-audit.json');
const ALL_RULES = enabledRules(RULES, 'strict', { config: { rules: Object.fromEntries([...RULES.keys()].map((id) => [id, 'on'])) } }, []);

function input(root: string): AuditInput {
  const compose = readdirSync(join(root, 'compose')).sort().map((f) => join(root, 'compose', f));
  const dockerfiles = readdirSync(join(root, 'dockerfile')).sort().map((f) => join(root, 'dockerfile', f));
  return { root, composeFiles: compose, dockerfiles, files: [...compose, ...dockerfiles], settings: { trustedRegistries: [], roots: {}, networkRoots: [] }, rules: ALL_RULES, known: new Set(RULES.keys()) };
}

function summary(result: AuditResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of result.findings) out[f.rule] = (out[f.rule] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

describe('auditing the corpus', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach(removeTree));

  test('every file is audited without a crash, and the findings per rule match the golden summary', (t) => {
    if (!sharedOrSkip(t)) return;
    const result = runAudit(input(CORPUS), new FileSource());
    assert.deepEqual(result.crashes.map((c) => `${c.rule} on ${c.file}: ${c.error.message}`), []);
    assert.equal(result.compose.length, 128);
    assert.equal(result.dockerfiles.length, 58);
    const got = { files: result.compose.length + result.dockerfiles.length, findings: result.findings.length, byRule: summary(result) };
    if (process.env.UPDATE_GOLDEN || !existsSync(GOLDEN)) writeFileSync(GOLDEN, JSON.stringify(got, null, 2) + '\n');
    assert.deepEqual(got, JSON.parse(readFileSync(GOLDEN, 'utf8')), 'findings per rule changed: review, then UPDATE_GOLDEN=1 npm run test:unit');
  });

  test('the socket mounts, host networks and plaintext passwords of the corpus are found', (t) => {
    if (!sharedOrSkip(t)) return;
    const result = runAudit(input(CORPUS), new FileSource());
    const files = (rule: string) => new Set(result.findings.filter((f) => f.rule === rule).map((f) => f.span.file.split('/').pop()!));
    const socket = files('engine-socket-mount');
    for (const f of ['docker__awesome-compose__portainer__compose.yaml', 'containrrr__watchtower__docker-compose.yml']) assert.ok(socket.has(f), `socket mount in ${f}`);
    assert.ok(socket.size >= 20, `socket mounts found in ${socket.size} files`);
    assert.ok(files('no-host-network').size >= 5, 'host networks');
    const passwords = files('hardcoded-credentials');
    assert.ok(passwords.has('docker__awesome-compose__gitea-postgres__compose.yaml') || passwords.size >= 8, `plaintext passwords found in ${passwords.size} files`);
  });

  test('fixing the whole corpus (unsafe fixes too) settles, keeps every file parseable, and a second run changes nothing', (t) => {
    if (!sharedOrSkip(t)) return;
    const dir = tempTree({});
    dirs.push(dir);
    cpSync(CORPUS, dir, { recursive: true });
    // The corpus is read-only; its copy must be writable for whoever runs the tests, not only for root.
    for (const sub of ['', ...readdirSync(dir, { recursive: true, encoding: 'utf8' })]) chmodSync(join(dir, sub), statSync(join(dir, sub)).isDirectory() ? 0o755 : 0o644);
    const fixAll = () => {
      let writes = 0;
      for (let pass = 0; pass < 10; pass++) {
        const result = runAudit(input(dir), new FileSource());
        const changed = fixedTexts(result.findings, 'unsafe', result.texts);
        if (changed.size === 0) return writes;
        for (const [file, text] of changed) writeFileSync(file, text);
        writes += changed.size;
      }
      assert.fail('fixes did not settle in 10 passes');
    };
    assert.ok(fixAll() > 0, 'the corpus has fixable findings');
    assert.equal(fixAll(), 0, 'a second --fix changes nothing');
    for (const f of readdirSync(join(dir, 'compose'))) {
      const file = join(dir, 'compose', f);
      const errs = parseYaml(readFileSync(file, 'utf8'), file).diagnostics.filter((d) => d.severity === 'error' && d.code !== 'YAML_DUPLICATE_KEY');
      assert.deepEqual(errs.map((d) => `${f}:${d.span.line} ${d.message}`), [], 'fixed files still parse');
      const before = loadCompose(join(CORPUS, 'compose', f), new FileSource());
      const afterFix = loadCompose(file, new FileSource());
      if (before.project) assert.ok(afterFix.project, `${f} still loads after fixing`);
    }
  });
});
