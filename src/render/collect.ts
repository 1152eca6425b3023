import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Repo } from '../model/repo.js';

/** Folders that are never part of a stack as shipped to a host. */
const SKIP = new Set(['.git', 'node_modules']);

/**
 * The I/O half of render: the files of the given stacks' folders and their encrypted secrets,
 * by absolute path. Missing secrets are left out (validate reports them; render notes them).
 */
export function collectStackFiles(repo: Repo, stacks: Iterable<string>): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const name of stacks) {
    const stack = repo.stacks[name];
    if (!stack) continue;
    walk(stack.dir, files);
    for (const s of stack.manifest.secrets) {
      try {
        files.set(s.file, readFileSync(s.file));
      } catch {
        // reported by validate and noted by render
      }
    }
  }
  return files;
}

function walk(dir: string, into: Map<string, Uint8Array>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, into);
    else if (entry.isFile()) into.set(path, readFileSync(path));
  }
}
