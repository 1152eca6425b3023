/**
 * The real Podman 5 Quadlet generator for tests: run it on a folder of Quadlet files, and read
 * the podman command lines it generates as the argv systemd would run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const QUADLET = process.env.BERTH_QUADLET ?? '/opt/berth-testbed/quadlet';

/** Skips (with a printed notice) where the Podman 5 Quadlet generator is absent; CI installs it (.ci/testbed). */
export function quadletOrSkip(t: { skip(msg: string): void }): boolean {
  if (existsSync(QUADLET)) return true;
  const msg = `${QUADLET} is absent (.ci/testbed installs it); skipping the Quadlet generator checks`;
  console.log(`# notice: ${msg}`);
  t.skip(msg);
  return false;
}

export interface Generated {
  status: number;
  /** Error lines of the generator ("converting ...", "error ..."): none when it accepted everything. */
  errors: string[];
  /** Generated service units by name ("immich-database.service"). */
  units: Map<string, string>;
}

/** `quadlet -dryrun -user` on a folder of Quadlet files: what systemd would get at daemon-reload. */
export function generate(dir: string): Generated {
  const r = spawnSync(QUADLET, ['-dryrun', '-user'], { env: { ...process.env, QUADLET_UNIT_DIRS: dir }, encoding: 'utf8', maxBuffer: 1 << 28 });
  const units = new Map<string, string>();
  const parts = r.stdout.split(/^---(.+)---$/m);
  for (let i = 1; i < parts.length; i += 2) units.set(parts[i]!, parts[i + 1]!);
  const errors = r.stderr.split('\n').filter((l) => l.trim() && !/Loading source unit file/.test(l));
  return { status: r.status ?? -1, errors, units };
}

/**
 * The argv systemd runs for an ExecStart= line: words split at systemd's blanks (space, tab, CR,
 * LF; not other Unicode spaces), quotes and C escapes undone (a \xNN escape is one byte, as in
 * systemd, so the word is decoded as UTF-8 at the end), then `%%` → `%` (other specifiers such as
 * %t stay as written) and `$$` → `$`. A bare `;` word is systemd's command separator, which no
 * single podman command line may hold: it throws.
 */
export function execArgv(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  const blank = (c: string | undefined): boolean => c !== undefined && ' \t\n\r'.includes(c);
  const utf8 = (text: string): number[] => [...Buffer.from(text, 'utf8')];
  const unescape = (): number[] => {
    const c = line[++i]!;
    i++;
    if (c === 'x') {
      const hex = line.slice(i, i + 2);
      i += 2;
      return [parseInt(hex, 16)];
    }
    return utf8(({ a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'", ' ': ' ' } as Record<string, string>)[c] ?? c);
  };
  const literal = (): number[] => {
    const c = String.fromCodePoint(line.codePointAt(i)!);
    i += c.length;
    return utf8(c);
  };
  while (i < line.length) {
    while (blank(line[i])) i++;
    if (i >= line.length) break;
    const start = i;
    const bytes: number[] = [];
    while (i < line.length && !blank(line[i])) {
      const c = line[i]!;
      if (c === '"' || c === "'") {
        i++;
        while (i < line.length && line[i] !== c) bytes.push(...(line[i] === '\\' ? unescape() : literal()));
        i++;
      } else if (c === '\\') bytes.push(...unescape());
      else bytes.push(...literal());
    }
    if (line.slice(start, i) === ';') throw new Error(`a bare ";" in ExecStart= ends the command there (systemd's separator): ${line}`);
    const word = Buffer.from(bytes).toString('utf8');
    words.push(word.replace(/%(.)/g, (m, x: string) => (x === '%' ? '%' : m)).replace(/\$\$/g, '$'));
  }
  return words;
}

/** The argv of a generated unit's ExecStart=. */
export function podmanRun(units: Map<string, string>, unit: string): string[] {
  const text = units.get(unit);
  assert.ok(text, `no generated unit ${unit}; generated: ${[...units.keys()].join(', ')}`);
  const line = text.split('\n').find((l) => l.startsWith('ExecStart='));
  assert.ok(line, `${unit} has no ExecStart=`);
  return execArgv(line.slice('ExecStart='.length));
}

/** The values that follow each occurrence of an option in an argv ("--env" → ["A=1", ...]). */
export function optionValues(argv: string[], option: string): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    if (a === option) out.push(argv[i + 1]!);
    else if (a.startsWith(`${option}=`)) out.push(a.slice(option.length + 1));
  });
  return out;
}

export function unitLines(text: string, key: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));
}
