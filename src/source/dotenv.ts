import { error, type Diagnostic } from '../diagnostics/diagnostic.js';

/**
 * Parses a `.env` file the way compose reads it: `KEY=VALUE`, optional `export `, `#` comments,
 * single quotes (literal), double quotes (with \n, \t, \\ and \" escapes), and unquoted values
 * whose trailing ` # comment` is dropped.
 */
export function parseDotenv(text: string, file: string): { vars: Map<string, string>; literal: Set<string>; diagnostics: Diagnostic[] } {
  const vars = new Map<string, string>();
  // Single-quoted values are taken as written; the others may use ${VAR} like compose files do.
  const literal = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/^\s*export\s+/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=\s*(.*))?$/.exec(line);
    const lineNo = i + 1;
    if (!m) {
      diagnostics.push(
        error('SCHEMA', { file, line: lineNo, col: 1, endLine: lineNo, endCol: raw.length + 1 }, `"${line}" is not a KEY=VALUE line`, 'variable names start with a letter or _, followed by letters, digits and _'),
      );
      return;
    }
    const key = m[1]!;
    const rawValue = m[2];
    if (rawValue === undefined) return; // `KEY` alone: take it from the environment, which berth does not read
    vars.set(key, unquote(rawValue));
    if (rawValue.startsWith("'")) literal.add(key);
    else literal.delete(key);
  });
  return { vars, literal, diagnostics };
}

function unquote(v: string): string {
  if (v.startsWith("'")) {
    const end = v.indexOf("'", 1);
    return end < 0 ? v.slice(1) : v.slice(1, end);
  }
  if (v.startsWith('"')) {
    let out = '';
    for (let i = 1; i < v.length; i++) {
      const c = v[i]!;
      if (c === '"') break;
      if (c === '\\' && i + 1 < v.length) {
        const n = v[++i]!;
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
      } else out += c;
    }
    return out;
  }
  return v.replace(/\s+#.*$/, '').trim();
}
