import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageFolder } from '../util/fs.js';

/** The "Good" example and "Fix" text of rule doc pages, for recommendations in reports. */
export function ruleDocs(ids: Iterable<string>): Map<string, { good?: string; fix?: string }> {
  const dir = packageFolder(join('docs', 'rules'));
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
