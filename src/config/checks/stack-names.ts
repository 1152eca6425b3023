import { normaliseProjectName } from '../../compose/project-name.js';
import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Repo } from '../../model/repo.js';

/** Stack folder names become compose project names, unit names and paths: they must be safe as all three. */
export function stackNames(repo: Repo): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const stack of Object.values(repo.stacks)) {
    const { name, valid } = normaliseProjectName(stack.name);
    if (valid) continue;
    out.push(
      error(
        'STACK_NAME_INVALID',
        stack.manifestFile ? { ...stack.span, file: stack.manifestFile } : stack.span,
        `stack folder "${stack.name}" is not a valid compose project name: use lower-case letters, digits, "-" and "_", starting with a letter or digit`,
        name ? `rename the folder to "${name}" (and use that name in hosts.yml)` : 'rename the folder, e.g. to "my-stack"',
      ),
    );
  }
  return out;
}

/** A name from hosts.yml or `after:` that could escape stacks/ or is no folder name at all. */
export function unsafeStackReference(name: string): string | undefined {
  if (name.includes('/') || name.includes('\\')) return 'contains a path separator';
  if (name === '..' || name === '.') return 'is a relative path, not a stack';
  if (!normaliseProjectName(name).valid) return 'is not a valid stack name (lower-case letters, digits, "-" and "_", starting with a letter or digit)';
  return undefined;
}
