/**
 * systemd unit files (and Quadlet files, which share the syntax) written from data. Values are
 * escaped here and only here: the seed system broke again and again on '%' and '$' in Exec lines.
 */

export type Entry = readonly [key: string, value: string | number | boolean];
export interface Section {
  name: string;
  entries: Entry[];
}

/** A file of sections; empty sections are left out, entries keep their order. */
export function unitFile(sections: Section[], header?: string): string {
  const parts: string[] = [];
  if (header) parts.push(header.split('\n').map((l) => (l ? `# ${l}` : '#')).join('\n') + '\n');
  for (const s of sections) {
    if (s.entries.length === 0) continue;
    parts.push(`[${s.name}]\n` + s.entries.map(([k, v]) => `${k}=${valueText(v)}`).join('\n') + '\n');
  }
  return parts.join('\n');
}

function valueText(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  const text = String(v);
  if (/[\n\r]/.test(text)) throw new Error(`a unit file value cannot span lines: ${JSON.stringify(text)}`);
  return text;
}

/** A literal value in a setting that expands specifiers (most do): '%' must be doubled. */
export function specifierSafe(value: string): string {
  return value.replaceAll('%', '%%');
}

/**
 * One word of an Exec line (ExecStart= and friends): specifiers and variables escaped, quoted
 * when it has whitespace, quotes or backslashes, so the program receives exactly `word`.
 */
export function execWord(word: string): string {
  const escaped = specifierSafe(word).replaceAll('$', '$$$$');
  if (escaped !== '' && !/[\s"'\\;\p{Cc}]/u.test(escaped)) return escaped;
  return cQuoted(escaped);
}

/**
 * Inside double quotes systemd (and Quadlet, for Exec=, Environment=, PodmanArgs=...) undoes C
 * escapes, so a newline in a value (a multi-line `sh -c` script) stays one word on one line.
 */
function cQuoted(text: string): string {
  const body = text
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/\p{Cc}/gu, (c) => C_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${body}"`;
}

/**
 * One NAME=value word of a unit's Environment=: specifiers escaped, quoted when it has blanks,
 * quotes or control characters. systemd does not expand `$` there, so it stays as it is.
 */
export function envAssignment(name: string, value: string): string {
  const text = specifierSafe(`${name}=${value}`);
  return /[\s"'\\\p{Cc}]/u.test(text) ? cQuoted(text) : text;
}

const C_ESCAPES: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * A Quadlet value that reaches podman as one argument without being split or unquoted
 * (Image=, Volume=, PublishPort=, Tmpfs=, NetworkAlias=, HealthCmd=, ...): Quadlet copies it
 * into ExecStart=, so specifiers and variables are escaped and nothing else is. It cannot hold
 * a line break, a trailing backslash (a line continuation) or blanks at either end (trimmed by the
 * parser): callers check `quadletArgFits` first.
 */
export function quadletArg(value: string): string {
  return specifierSafe(value).replaceAll('$', '$$$$');
}

/**
 * One word of a Quadlet list key that unquotes but keeps backslashes (AddCapability=, Sysctl=,
 * AddDevice=, LogOpt=): quoted when it has blanks. Undefined when it holds a quote or a
 * backslash, which such keys cannot carry: pass the value through PodmanArgs= instead.
 */
export function quadletListWord(value: string): string | undefined {
  if (/["'\\\p{Cc}]/u.test(value) || value === '') return undefined;
  const escaped = quadletArg(value);
  return /\s/.test(escaped) ? `"${escaped}"` : escaped;
}

/** Whether `quadletArg(value)` reaches podman unchanged. */
export function quadletArgFits(value: string): boolean {
  return !/[\n\r]|\\$|^\s|\s$/.test(value);
}

/** A whole Exec line from argv: argv[0] must be an absolute path (systemd's rule for portability). */
export function execLine(argv: readonly string[]): string {
  if (argv.length === 0 || !argv[0]!.startsWith('/')) throw new Error(`an Exec line needs an absolute program path: ${JSON.stringify(argv)}`);
  return argv.map(execWord).join(' ');
}

/** The escaped form systemd uses for a path in a unit name: /mnt/data -> mnt-data (systemd-escape --path). */
export function pathUnitName(path: string, suffix: string): string {
  const trimmed = path.replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
  if (trimmed === '') return `-.${suffix}`;
  const escaped = [...trimmed]
    .map((c, i) => (c === '/' ? '-' : /[A-Za-z0-9:_]/.test(c) || (c === '.' && i > 0) ? c : [...Buffer.from(c)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')))
    .join('');
  return `${escaped}.${suffix}`;
}

/** A POSIX sh single-quoted word: the only quoting with no special characters inside. */
export function shQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A path in a setting that takes a space-separated list of paths (RequiresMountsFor=): quoted when it must be. */
export function unitPath(path: string): string {
  const safe = specifierSafe(path);
  return /[\s"'\\]/.test(safe) ? `"${safe.replace(/[\\"]/g, (c) => `\\${c}`)}"` : safe;
}
