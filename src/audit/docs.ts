import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The "Good" example and "Fix" text of rule doc pages, for recommendations in reports. */
export function ruleDocs(ids: Iterable<string>): Map<string, { good?: string; fix?: string }> {
  const dir = docsDir();
  const out = new Map<string, { good?: string; fix?: string }>();
  if (!dir) return out;
  for (const id of ids) {
    const file = join(dir, `${id}.md`);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const section = (name: string) => /* the text between "## name" and the next heading */ new RegExp(`\\n## ${name}\\n([\\s\\S]*?)(?=\\n## |$)`).exec(text)?.[1]?.trim();
    const entry: { good?: string; fix?: string } = {};
    const good = section('Good');
    const fix = section('Fix');
    if (good) entry.good = good;
    if (fix) entry.fix = fix;
    out.set(id, entry);
  }
  return out;
}

function docsDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'docs', 'rules'))) return join(dir, 'docs', 'rules');
    dir = dirname(dir);
  }
  return undefined;
}
