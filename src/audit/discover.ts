import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isDir, isFile } from '../util/fs.js';
import { basename, dirname, join, relative, resolve } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/**
 * Folders that hold other people's code, build output, or YAML that only looks like compose
 * (.github/workflows/docker-compose.yml is a CI workflow), never the project's own configuration.
 */
const SKIPPED_DIRS = new Set(['.git', '.github', '.gitlab', 'node_modules', 'vendor', 'third_party', 'bower_components', '.venv', 'venv', '.terraform', '.tox', '__pycache__']);
const DOC_EXTENSIONS = /\.(md|txt|rst|adoc|json|ya?ml|sh|ps1|bat|bak|orig|swp|j2|tmpl|template)$/i;

function isComposeFile(name: string): boolean {
  return /compose/i.test(name) && /\.ya?ml$/i.test(name);
}

export function isDockerfile(name: string): boolean {
  if (/\.dockerfile$/i.test(name)) return true;
  // "Dockerfile*" (Dockerfile.prod, Dockerfile2), "prod.Dockerfile", "api-Containerfile", flattened a__b__Dockerfile
  if (!/^(dockerfile|containerfile)/i.test(name) && !/[._-](dockerfile|containerfile)([._-]|$)/i.test(name)) return false;
  return !DOC_EXTENSIONS.test(name);
}

export interface Discovery {
  root: string;
  composeFiles: string[];
  dockerfiles: string[];
  files: string[];
  /** Paths given that do not exist. */
  missing: string[];
}

/**
 * Finds compose files and Dockerfiles under the given paths (folders are walked, files taken as
 * given), skipping vendored folders and whatever the .gitignore files say. Sorted, deterministic.
 */
export function discover(paths: string[], cwd: string): Discovery {
  const abs = (paths.length ? paths : ['.']).map((p) => resolve(cwd, p));
  const root = abs.length === 1 && isDir(abs[0]!) ? abs[0]! : cwd;
  const out: Discovery = { root, composeFiles: [], dockerfiles: [], files: [], missing: [] };
  const seen = new Set<string>();
  const add = (file: string, explicit: boolean) => {
    if (seen.has(file)) return;
    seen.add(file);
    out.files.push(file);
    const name = basename(file);
    if (isComposeFile(name) || (explicit && /\.ya?ml$/i.test(name))) out.composeFiles.push(file);
    else if (isDockerfile(name) || (explicit && /dockerfile|containerfile/i.test(name))) out.dockerfiles.push(file);
  };
  for (const p of abs) {
    let st;
    try {
      st = statSync(p);
    } catch {
      out.missing.push(p);
      continue;
    }
    if (st.isDirectory()) walk(p, p, ancestorIgnores(p), add);
    else add(p, true);
  }
  for (const list of [out.composeFiles, out.dockerfiles, out.files]) list.sort();
  return out;
}

/** Every file under `dir` that git would track: .gitignore files (there and above) honoured, vendored folders skipped. Sorted. */
export function trackedFiles(dir: string): string[] {
  const out: string[] = [];
  walk(dir, dir, ancestorIgnores(dir), (f) => out.push(f));
  return out;
}

function walk(dir: string, top: string, ignores: { base: string; ig: Ignore }[], add: (f: string, explicit: boolean) => void): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  const gitignore = entries.find((e) => e.isFile() && e.name === '.gitignore');
  const here = gitignore ? [...ignores, { base: dir, ig: ignore().add(readFileSync(join(dir, '.gitignore'), 'utf8')) }] : ignores;
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, e.name);
    if (e.isDirectory() && SKIPPED_DIRS.has(e.name)) continue;
    if (here.some(({ base, ig }) => ig.ignores(relative(base, full) + (e.isDirectory() ? '/' : '')))) continue;
    if (e.isDirectory()) walk(full, top, here, add);
    else if (e.isFile()) add(full, false);
    else if (e.isSymbolicLink() && isFile(full)) add(full, false); // linked files count; linked folders are not followed (no loops)
  }
}

/** The .gitignore files above the audited folder, up to the repository root, which apply to it too. */
function ancestorIgnores(dir: string): { base: string; ig: Ignore }[] {
  const out: { base: string; ig: Ignore }[] = [];
  let d = dirname(dir);
  let prev = dir;
  while (d !== prev) {
    const gi = join(d, '.gitignore');
    if (isFile(gi)) out.unshift({ base: d, ig: ignore().add(readFileSync(gi, 'utf8')) });
    if (existsSync(join(d, '.git'))) break;
    prev = d;
    d = dirname(d);
  }
  // Only within a git checkout do parent .gitignore files mean anything.
  return out.length && existsSync(join(d, '.git')) ? out : [];
}


