import type { Span } from '../../../diagnostics/span.js';
import type { DockerfileModel, Instruction, Stage } from '../../../dockerfile/model.js';
import { argsOf, parseShell, program, type ShellCommand } from '../../../dockerfile/shell.js';
import { spanOf } from '../_spans.js';
import { lineage } from '../_stages.js';

/**
 * Helpers shared by the Dockerfile security rules: commands of a RUN (with `sh -c '...'` scripts and
 * `$(...)` substitutions descended into), positions of words inside an instruction, ARG/ENV pairs
 * with their positions, and the stages an image inherits from. The shell model has no positions, so
 * a word's span is found by searching the instruction's own text for that exact word, in order.
 * (The "_" prefix keeps this file out of the rule catalogue.)
 */

export interface Where {
  text: string;
  file: string;
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh']);

export function isShell(name: string | undefined): boolean {
  return name !== undefined && SHELLS.has(name);
}

const BEFORE = /[\s"'`;|&(){}=,[]/;
const AFTER = /[\s"'`;|&(){},\]]/;

/**
 * Offset of `word` as a whole word in the text, from `from` up to `to`; -1 when absent. Words are
 * delimited by blanks, quotes, shell operators and JSON punctuation.
 */
export function findWord(text: string, word: string, from: number, to: number): number {
  if (!word) return -1;
  for (let i = text.indexOf(word, from); i >= 0 && i + word.length <= to; i = text.indexOf(word, i + 1)) {
    const b = i === 0 ? ' ' : text[i - 1]!;
    const a = i + word.length >= text.length ? ' ' : text[i + word.length]!;
    if (BEFORE.test(b) && (AFTER.test(a) || (word.startsWith('-') && a === '='))) return i;
  }
  return -1;
}

/** The start offset of the instruction's arguments (after the keyword and its flags). */
export function argsStart(instr: Instruction): number {
  return instr.argsSpan.offset ?? instr.span.offset ?? 0;
}

/** The span of a word of an instruction (searched from `from`), else the instruction's keyword. */
export function wordSpan(where: Where, instr: Instruction, word: string, from = argsStart(instr)): Span {
  const end = instr.span.endOffset ?? where.text.length;
  const at = findWord(where.text, word, from, end);
  return at < 0 ? instr.keywordSpan : spanOf(where, at, at + word.length);
}

/** A command of a RUN with where its first word is in the file (-1 when it could not be found). */
export interface Located {
  cmd: ShellCommand;
  offset: number;
  /** Set when the command comes from inside `sh -c '...'`, `su -c` or a `$(...)` substitution. */
  inside?: ShellCommand;
  /** The command runs in a `$(...)` or backtick substitution. */
  substitution?: boolean;
  /** Which script the command belongs to (0: the instruction's own): pipes connect commands of one script. */
  script: number;
}

/** Every command a RUN (or shell-form CMD/ENTRYPOINT) runs, in text order, with nested scripts. */
export function commandsOf(where: Where, instr: Instruction): Located[] {
  const out: Located[] = [];
  let cursor = argsStart(instr);
  const end = instr.span.endOffset ?? where.text.length;
  let scripts = 0;
  const visit = (cmds: ShellCommand[], inside: ShellCommand | undefined, substitution: boolean, depth: number) => {
    const script = scripts++;
    // The lexer splits an unquoted `$(cmd)` into a word "$" and a "(" ... ")" group.
    const open: ShellCommand[] = [];
    for (const cmd of cmds) {
      const first = cmd.argv[0] ?? '';
      const at = findWord(where.text, first, cursor, end);
      if (at >= 0) cursor = at + first.length;
      const l: Located = { cmd, offset: at, script };
      const within = open[open.length - 1] ?? inside;
      if (within) l.inside = within;
      if (substitution || open.length) l.substitution = true;
      out.push(l);
      if (cmd.argv[cmd.argv.length - 1] === '$' && cmd.after === '(') open.push(cmd);
      else if (cmd.after === ')' && open.length) open.pop();
      if (depth >= 3) continue;
      const nested = nestedScript(cmd);
      if (nested !== undefined) visit(parseShell(nested.script), cmd, false, depth + 1);
      cmd.argv.forEach((a, i) => {
        if (i !== nested?.index) for (const s of substitutions(a)) visit(parseShell(s), cmd, true, depth + 1);
      });
    }
  };
  visit(instr.shell ?? [], undefined, false, 0);
  return out;
}

/** The script of `sh -c '...'` / `bash -ec "..."` / `su -c '...' user` and its index in argv. */
export function nestedScript(cmd: ShellCommand): { script: string; index: number } | undefined {
  const p = program(cmd);
  if (!isShell(p) && p !== 'su') return undefined;
  const args = argsOf(cmd);
  const offset = cmd.argv.length - args.length;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--command' || /^-[A-Za-z]*c[A-Za-z]*$/.test(a)) return args[i + 1] === undefined ? undefined : { script: args[i + 1]!, index: offset + i + 1 };
    if (!a.startsWith('-') && p !== 'su') return undefined; // `bash script.sh -c`: an argument of the script
  }
  return undefined;
}

/** The commands inside `$(...)` and backticks of one word (outermost ones). */
export function substitutions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) {
    if (word[i] === '$' && word[i + 1] === '(' && word[i + 2] !== '(') {
      let depth = 0;
      for (let j = i + 1; j < word.length; j++) {
        if (word[j] === '(') depth++;
        else if (word[j] === ')' && --depth === 0) {
          out.push(word.slice(i + 2, j));
          i = j;
          break;
        }
      }
    } else if (word[i] === '`') {
      const j = word.indexOf('`', i + 1);
      if (j < 0) break;
      out.push(word.slice(i + 1, j));
      i = j;
    }
  }
  return out;
}

/** The span of an argument of a located command (searched after its first word). */
export function argSpan(where: Where, instr: Instruction, l: Located, arg: string): Span {
  return wordSpan(where, instr, arg, l.offset >= 0 ? l.offset : argsStart(instr));
}

/** The span of a located command's first word. */
export function commandSpan(where: Where, instr: Instruction, l: Located): Span {
  const first = l.cmd.argv[0] ?? '';
  return l.offset >= 0 ? spanOf(where, l.offset, l.offset + first.length) : instr.keywordSpan;
}

export interface Pair {
  name: string;
  /** undefined: `ARG NAME` without a default. Quotes removed. */
  value?: string;
  /** The value as written, quotes included. */
  raw?: string;
  nameSpan: Span;
  valueSpan?: Span;
}

/** The NAME=value pairs of an ARG, ENV or LABEL (and the legacy `ENV NAME value` form), with spans. */
export function pairsOf(where: Where, instr: Instruction, escape = '\\'): Pair[] {
  const start = argsStart(instr);
  const end = instr.argsSpan.endOffset ?? instr.span.endOffset ?? where.text.length;
  const words = splitWords(where.text, start, end, escape);
  if (words.length === 0) return [];
  const out: Pair[] = [];
  if (instr.keyword === 'ENV' && !words[0]!.text.includes('=')) {
    // ENV NAME value with spaces
    const w = words[0]!;
    const rest = words.slice(1);
    const pair: Pair = { name: w.text, nameSpan: spanOf(where, w.start, w.end) };
    if (rest.length) {
      pair.raw = where.text.slice(rest[0]!.start, rest[rest.length - 1]!.end);
      pair.value = rest.map((r) => r.value).join(' ');
      pair.valueSpan = spanOf(where, rest[0]!.start, rest[rest.length - 1]!.end);
    } else pair.value = '';
    return [pair];
  }
  for (const w of words) {
    const eq = w.text.indexOf('=');
    const name = eq < 0 ? w.text : w.text.slice(0, eq);
    const pair: Pair = { name, nameSpan: spanOf(where, w.start, w.start + name.length) };
    if (eq >= 0) {
      pair.raw = w.text.slice(eq + 1);
      pair.value = unquote(pair.raw, escape);
      pair.valueSpan = spanOf(where, w.start + eq + 1, w.end);
    }
    out.push(pair);
  }
  return out;
}

interface Word {
  text: string;
  value: string;
  start: number;
  end: number;
}

/** Splits instruction text into words: quotes kept together, line continuations are blanks. */
function splitWords(text: string, start: number, end: number, escape: string): Word[] {
  const out: Word[] = [];
  let i = start;
  while (i < end) {
    while (i < end && /\s/.test(text[i]!)) i++;
    if (i < end && text[i] === escape && /^\r?\n/.test(text.slice(i + 1, i + 3))) {
      i += text[i + 1] === '\r' ? 3 : 2;
      continue;
    }
    if (i >= end) break;
    if (text[i] === '#' && (i === start || text[i - 1] === '\n')) {
      // a comment line inside a continued instruction
      while (i < end && text[i] !== '\n') i++;
      continue;
    }
    const s = i;
    let quote: string | undefined;
    while (i < end) {
      const c = text[i]!;
      if (quote) {
        if (c === escape && quote === '"') i++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === escape) {
        if (/^\r?\n/.test(text.slice(i + 1, i + 3))) break;
        i++;
      } else if (/\s/.test(c)) break;
      i++;
    }
    const t = text.slice(s, Math.min(i, end));
    out.push({ text: t, value: unquote(t, escape), start: s, end: Math.min(i, end) });
  }
  return out;
}

function unquote(s: string, escape: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === escape && quote === '"' && i + 1 < s.length) out += s[++i];
      else out += c;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === escape && i + 1 < s.length) out += s[++i];
    else out += c;
  }
  return out;
}

/** The escape character of the Dockerfile (`# escape=` directive). */
export function escapeOf(df: DockerfileModel): string {
  const e = df.directives['escape'];
  return e === '`' ? '`' : '\\';
}

/** The external base of a stage (following FROM <stage>): the ImageRef of the oldest ancestor. */
export function baseOf(stage: Stage): Stage {
  const l = lineage(stage);
  return l[l.length - 1]!;
}

/** Windows bases: different users (ContainerAdministrator), shells and health check tooling. */
export function isWindowsImage(stage: Stage): boolean {
  const t = baseOf(stage).from.text.toLowerCase();
  return /(^|\/)windows\/|nanoserver|servercore|windows-?server/.test(t) || stage.platform?.toLowerCase().startsWith('windows') === true;
}

/** The words of a JSON (exec-form) array with the offset of each string in the file, in order. */
export function jsonWords(where: Where, instr: Instruction, words: string[]): { word: string; offset: number; end: number }[] {
  let cursor = argsStart(instr);
  const end = instr.span.endOffset ?? where.text.length;
  return words.map((w) => {
    const lit = JSON.stringify(w);
    let at = where.text.indexOf(lit, cursor);
    if (at < 0 || at >= end) at = -1;
    else cursor = at + lit.length;
    // offset: inside the opening quote; end: after the closing quote
    return { word: w, offset: at < 0 ? -1 : at + 1, end: at < 0 ? -1 : at + lit.length };
  });
}

/**
 * The sources of a COPY or ADD: every word but the destination, in JSON or shell form. With heredocs
 * the sources and destination are on the first line and the content follows; `heredocs: false`
 * leaves the `<<EOF` words out of the shell form.
 */
export function copySources(instr: Instruction, heredocs = true): string[] {
  const v = instr.value.trim();
  if (v.startsWith('[')) {
    try {
      const j = JSON.parse(v) as unknown;
      if (Array.isArray(j) && j.every((x) => typeof x === 'string')) return (j as string[]).slice(0, -1);
    } catch {
      // not JSON: shell words below
    }
  }
  const words = (v.includes('<<') ? v.split('\n')[0]! : v).split(/\s+/).filter(Boolean).slice(0, -1);
  return heredocs ? words : words.filter((w) => !w.startsWith('<<'));
}

/** Located commands grouped by the script they belong to, each in order: pipes connect commands of one script. */
export function byScript(all: Located[]): Located[][] {
  const scripts = new Map<number, Located[]>();
  for (const l of all) {
    if (!scripts.has(l.script)) scripts.set(l.script, []);
    scripts.get(l.script)!.push(l);
  }
  return [...scripts.values()];
}

/** curl short options that take a value: the rest of a combined word is that value. */
export const CURL_VALUE_OPTIONS = 'AbcCdDeEFhHKmoPQrtTuUwxXYyz';
