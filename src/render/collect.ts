import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { trackedFiles } from '../audit/discover.js';
import type { Repo } from '../model/repo.js';
import { MARKER } from './write-tree.js';

/**
 * The I/O half of render: the files of the given stacks' folders and their encrypted secrets,
 * by absolute path. What git ignores stays behind (a decrypted secret, a local override), and so
 * does an earlier render written inside a stack folder. Missing secrets are left out (validate
 * reports them; render notes them).
 */
export function collectStackFiles(repo: Repo, stacks: Iterable<string>): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const name of stacks) {
    const stack = repo.stacks[name];
    if (!stack) continue;
    const listed = trackedFiles(stack.dir);
    const renders = listed.filter((f) => f.endsWith(`/${MARKER}`)).map((f) => `${dirname(f)}/`);
    for (const file of listed) {
      if (!renders.some((r) => file.startsWith(r))) files.set(file, readFileSync(file));
    }
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
