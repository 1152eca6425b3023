import type { Span } from '../../../diagnostics/span.js';
import type { DockerfileModel, Instruction, Stage } from '../../../dockerfile/model.js';
import { hasFlag, program, type ShellCommand } from '../../../dockerfile/shell.js';
import { insertAt } from '../../fix-helpers.js';
import type { TextEdit } from '../../rule.js';
import { spanOf } from '../_spans.js';
import { lineage } from '../_stages.js';

/**
 * Helpers shared by the dockerfile-build rules (the "_" prefix keeps this file out of the rule
 * catalogue): the stage graph, package-manager commands read from the parsed shell commands, and
 * the positions of command words in the original text, for spans and fixes.
 */

// ---------------------------------------------------------------------------------------------
// Stages

/** `type=cache,target=/x` → Map. */
export function mountOptions(value: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) m.set(part.trim().toLowerCase(), 'true');
    else m.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return m;
}

/** Targets of a RUN's cache and tmpfs mounts: what those mounts keep out of the layer. */
export function cacheMountTargets(instr: Instruction): string[] {
  const out: string[] = [];
  for (const f of instr.flags) {
    if (f.name !== 'mount' || !f.value) continue;
    const o = mountOptions(f.value);
    const type = o.get('type') ?? 'bind';
    if (type !== 'cache' && type !== 'tmpfs') continue;
    const target = o.get('target') ?? o.get('dst') ?? o.get('destination');
    if (target) out.push(target.replace(/\/+$/, '') || '/');
  }
  return out;
}

/** Whether a cache/tmpfs mount of the RUN covers `path` (the mount is the path or a parent of it). */
export function mountCovers(instr: Instruction, ...paths: string[]): boolean {
  const targets = cacheMountTargets(instr);
  return paths.some((p) => targets.some((t) => p === t || p.startsWith(t === '/' ? '/' : t + '/')));
}

/** The chain of stages an image built from `stage` contains: its FROM ancestors in this file, then itself. */
export function chain(stage: Stage): Stage[] {
  return lineage(stage).reverse();
}

/** The stages the final image contains: the last stage and the stages it is built FROM, in build order. */
export function finalChain(df: DockerfileModel): Stage[] {
  const last = df.stages[df.stages.length - 1];
  return last ? chain(last) : [];
}

/** "stage \"build\"", "stage 2", or "the image" for a single-stage Dockerfile. */
export function stageLabel(df: DockerfileModel, stage: Stage): string {
  if (stage.name) return `stage "${stage.name}"`;
  if (df.stages.length === 1) return 'the image';
  return stage.index === df.stages.length - 1 ? 'the final stage' : `stage ${stage.index}`;
}

/** Windows base images: their RUN and CMD go to cmd.exe or PowerShell, not a POSIX shell. */
export function windowsImage(image: string): boolean {
  return /(^|\/)(windows|nanoserver|servercore)([/:-]|$)|mcr\.microsoft\.com\/(windows|powershell|dotnet\/framework)/i.test(image);
}

/** Whether a SHELL instruction's program is a POSIX shell (sh, bash, ash, dash, zsh, ksh). */
export function posixShell(argv: string[]): boolean {
  return /^(\/usr)?(\/bin\/)?(ba|da|a|z|k|mk)?sh$/.test(argv[0] ?? '');
}

/**
 * RUN instructions of a stage whose commands a POSIX shell runs: ONBUILD triggers (they run in other
 * builds), RUNs under a PowerShell or cmd SHELL and RUNs of Windows images left out.
 */
export function runs(stage: Stage): Instruction[] {
  const stages = chain(stage);
  if (stages.some((s) => windowsImage(s.from.text))) return [];
  let posix = true;
  const out: Instruction[] = [];
  for (const s of stages) {
    for (const i of s.instructions) {
      if (i.onbuild) continue;
      if (i.keyword === 'SHELL' && i.json) posix = posixShell(i.json);
      if (s === stage && i.keyword === 'RUN' && posix) out.push(i);
    }
  }
  return out;
}

/**
 * Whether apt's configuration may hold a setting before command `cmdIndex` of `current`: an earlier
 * command of the stage chain mentions it (`echo 'APT::Install-Recommends "0";' > ...`), or files are
 * copied into /etc/apt (cannot tell).
 */
export function aptConfigured(stage: Stage, current: Instruction, cmdIndex: number, setting: RegExp): boolean {
  for (const s of chain(stage)) {
    for (const instr of s.instructions) {
      if (instr.onbuild) continue;
      if (instr.keyword === 'COPY' || instr.keyword === 'ADD') {
        const dest = instr.value.trim().split(/\s+/).pop()?.replace(/^"|"?\]?$/g, ''); // shell or JSON form
        if (dest && /^\/etc\/apt(\/|$)/.test(dest)) return true;
      }
      if (instr.keyword !== 'RUN') continue;
      const cmds = commands(instr);
      for (const c of instr === current ? cmds.slice(0, cmdIndex) : cmds) if (c.argv.some((a) => setting.test(a))) return true;
      if (instr === current) return false;
    }
  }
  return false;
}

/** Names of the variables ENV or ARG set in the stage chain before `before`. */
export function envNames(stages: Stage[], before?: Instruction): Set<string> {
  const out = new Set<string>();
  for (const s of stages) {
    for (const i of s.instructions) {
      if (i === before) return out;
      if (i.onbuild || (i.keyword !== 'ENV' && i.keyword !== 'ARG')) continue;
      if (i.keyword === 'ENV' && !/^\s*[A-Za-z_][A-Za-z0-9_]*=/.test(i.value)) {
        const name = /^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(i.value)?.[1]; // legacy `ENV NAME value`
        if (name) out.add(name);
        continue;
      }
      for (const m of i.value.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)) out.add(m[1]!);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Commands

const SHELL_KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', '}', 'fi', 'done', 'time']);
const REDIRECT = /^[0-9]*[<>&|]+$/;

/** A parsed command with leading shell keywords (`then`, `do`, `!`) and redirections removed. */
export interface Cmd {
  /** Position among the instruction's parsed commands. */
  index: number;
  raw: ShellCommand;
  /** argv without leading keywords, redirection operators and their targets. */
  argv: string[];
  /** For each argv entry, its index in raw.argv. */
  rawIndex: number[];
  /** program() of the command: basename, sudo/env looked through. */
  prog?: string;
  /** Index in argv of the program word. */
  progAt: number;
  /** Arguments after the program. */
  args: string[];
}

/** The commands of a RUN (or shell-form CMD/ENTRYPOINT) as Cmd, in order. */
export function commands(instr: Instruction): Cmd[] {
  return (instr.shell ?? []).map((raw, index) => toCmd(raw, index));
}

function isRedirect(word: string): boolean {
  return REDIRECT.test(word) && /[<>]/.test(word);
}

function toCmd(raw: ShellCommand, index: number): Cmd {
  let start = 0;
  while (start < raw.argv.length - 1 && SHELL_KEYWORDS.has(raw.argv[start]!)) start++;
  const argv: string[] = [];
  const rawIndex: number[] = [];
  for (let i = start; i < raw.argv.length; i++) {
    const a = raw.argv[i]!;
    if (isRedirect(a)) {
      i++; // the target (a file, or the fd of 2>&1)
      // the fd before the operator (2>/dev/null lexes as "2", ">", "/dev/null") belongs to the redirection
      if (argv.length > 1 && /^\d$/.test(argv[argv.length - 1]!)) {
        argv.pop();
        rawIndex.pop();
      }
      continue;
    }
    argv.push(a);
    rawIndex.push(i);
  }
  const prog = program({ ...raw, argv });
  let progAt = prog === undefined ? -1 : argv.findIndex((a) => a === prog || a.endsWith('/' + prog));
  if (progAt < 0) progAt = argv.length;
  const cmd: Cmd = { index, raw, argv, rawIndex, progAt, args: argv.slice(progAt + 1) };
  if (prog !== undefined) cmd.prog = prog;
  return cmd;
}

/** Whether args (after the program) contain one of the flags; short flags may be combined (`-qy` has `-y`). */
export function has(args: string[], ...flags: string[]): boolean {
  return hasFlag({ argv: ['_', ...args], assignments: {} }, ...flags);
}

/** Positional words of args (flags and the values of value-taking flags left out), with their index in args. */
export function positionals(args: string[], valueFlags: ReadonlySet<string>): { word: string; at: number }[] {
  const out: { word: string; at: number }[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      for (let j = i + 1; j < args.length; j++) out.push({ word: args[j]!, at: j });
      break;
    }
    if (a.startsWith('-') && a.length > 1) {
      if (valueFlags.has(a)) i++;
      continue;
    }
    out.push({ word: a, at: i });
  }
  return out;
}

export type Tool = 'apt-get' | 'apt' | 'apk' | 'pip' | 'yum' | 'dnf' | 'microdnf' | 'zypper' | 'npm' | 'gem';

const VALUE_FLAGS: Record<Tool, ReadonlySet<string>> = {
  'apt-get': new Set(['-o', '-c', '-t', '--option', '--config-file', '--target-release', '--default-release']),
  apt: new Set(['-o', '-c', '-t', '--option', '--config-file', '--target-release', '--default-release']),
  apk: new Set(['-X', '--repository', '-p', '--root', '--arch', '--cache-dir', '--keys-dir', '--repositories-file', '-t', '--virtual']),
  pip: new Set([
    '-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '-t', '--target', '--prefix', '--root',
    '--trusted-host', '--platform', '--python-version', '--implementation', '--abi', '--no-binary', '--only-binary', '--progress-bar', '--src', '--upgrade-strategy',
    '--cache-dir', '--log', '--timeout', '--retries', '--proxy', '--cert', '--client-cert', '--config-settings', '-C', '--global-option', '--install-option', '--report', '--python',
  ]),
  yum: new Set(['-c', '--config', '--installroot', '--releasever', '-x', '--exclude', '--repo', '--repoid', '--enablerepo', '--disablerepo', '--setopt', '-d', '-e', '--forcearch']),
  dnf: new Set(['-c', '--config', '--installroot', '--releasever', '-x', '--exclude', '--repo', '--repoid', '--enablerepo', '--disablerepo', '--setopt', '-d', '-e', '--forcearch']),
  microdnf: new Set(['--config', '--installroot', '--releasever', '--enablerepo', '--disablerepo', '--setopt']),
  zypper: new Set(['-r', '--repo', '--from', '-t', '--type', '--root', '-R', '--config', '-c']),
  npm: new Set(['--prefix', '-w', '--workspace', '--omit', '--include', '--registry', '--cache', '--loglevel', '--tag']),
  gem: new Set(['-v', '--version', '-i', '--install-dir', '-n', '--bindir', '--source', '-s', '-P', '--trust-policy', '--platform']),
};

/** A package-manager command: the tool, its verb (install, update...) and the positional words after it. */
export interface PkgCommand {
  cmd: Cmd;
  tool: Tool;
  verb: string;
  /** Index of the verb in cmd.args (not in `args`: for `python -m pip` they differ). */
  verbAt: number;
  /** Arguments after the program (cmd.args; for `python -m pip`, those after `pip`). */
  args: string[];
  /** Positional words after the verb: package names and the like. */
  operands: string[];
}

/** The package-manager command `cmd` runs, if any. */
export function pkgCommand(cmd: Cmd): PkgCommand | undefined {
  const p = cmd.prog;
  if (!p) return undefined;
  let tool: Tool | undefined;
  let args = cmd.args;
  if (p === 'apt-get' || p === 'apt' || p === 'apk' || p === 'yum' || p === 'dnf' || p === 'microdnf' || p === 'zypper' || p === 'npm' || p === 'gem') tool = p;
  else if (/^dnf-?\d$/.test(p) || p === 'dnf5') tool = 'dnf';
  else if (/^pip(\d+(\.\d+)?)?$/.test(p)) tool = 'pip';
  else if (/^python(\d+(\.\d+)?)?$/.test(p)) {
    const m = args.indexOf('-m');
    if (m >= 0 && /^pip(\d+(\.\d+)?)?$/.test(args[m + 1] ?? '')) {
      tool = 'pip';
      args = args.slice(m + 2);
    }
  }
  if (!tool) return undefined;
  const pos = positionals(args, VALUE_FLAGS[tool]);
  const verb = pos[0];
  if (!verb) return undefined;
  return { cmd, tool, verb: verb.word, verbAt: verb.at + cmd.args.length - args.length, args, operands: positionals(args.slice(verb.at + 1), VALUE_FLAGS[tool]).map((p) => p.word) };
}

/** Package-manager commands of an instruction. */
export function pkgCommands(instr: Instruction): PkgCommand[] {
  return commands(instr)
    .map(pkgCommand)
    .filter((p): p is PkgCommand => p !== undefined);
}

/** A package name without version, arch or release qualifiers: `gcc=4:12` → gcc, `g++:amd64` → g++. */
export function packageName(word: string): string {
  return word.replace(/[=<>~].*$/, '').replace(/:[a-z0-9]+$/, '').replace(/\/[a-z0-9-]+$/, '');
}

/** Whether a word is a shell variable or command substitution: its value is unknown. */
export function dynamic(word: string): boolean {
  return /[$`]/.test(word);
}

// ---------------------------------------------------------------------------------------------
// Positions in the original text

export interface WordPos {
  /** The word as the shell sees it (quotes removed). */
  value: string;
  offset: number;
  end: number;
}

export interface Located {
  /** Per parsed command (same order as instr.shell): per argv index of the raw command, its position; undefined when not matched. */
  commands: (WordPos[] | undefined)[];
  /** Operator tokens (`|`, `&&`, `;`...) with their positions, in order. */
  operators: WordPos[];
}

/**
 * Finds the words of the parsed shell commands of a shell-form instruction in the original text,
 * following line continuations and the comment lines Docker strips from them. Each command's argv
 * is matched word by word, in order; a command that cannot be matched exactly gets no positions
 * (so no fix and a span on the instruction instead). undefined for exec form and non-default escape.
 */
export function locate(text: string, df: DockerfileModel, instr: Instruction): Located | undefined {
  if (instr.json || !instr.shell) return undefined;
  const escape = df.directives['escape'] ?? '\\';
  if (escape !== '\\') return undefined;
  const start = instr.argsSpan.offset ?? 0;
  const end = instr.span.endOffset ?? text.length;
  const { words, operators } = tokenize(text, start, end);
  const commands: (WordPos[] | undefined)[] = [];
  let cursor = 0;
  for (const cmd of instr.shell) {
    const argv = cmd.argv.filter((a) => !REDIRECT.test(a) || !/[<>&|]/.test(a));
    let found: WordPos[] | undefined;
    for (let i = cursor; i + argv.length <= words.length && !found; i++) {
      if (argv.every((a, k) => sameWord(a, words[i + k]!.value))) {
        found = words.slice(i, i + argv.length);
        cursor = i + argv.length;
      }
    }
    if (!found) {
      commands.push(undefined);
      continue;
    }
    // map back to raw argv indexes (operators were filtered out)
    const byIndex: WordPos[] = [];
    let k = 0;
    for (const a of cmd.argv) {
      if (REDIRECT.test(a) && /[<>&|]/.test(a)) byIndex.push({ value: a, offset: -1, end: -1 });
      else byIndex.push(found[k++]!);
    }
    commands.push(byIndex);
  }
  return { commands, operators };
}

function sameWord(parsed: string, raw: string): boolean {
  if (parsed === raw) return true;
  const norm = raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, '$$$1');
  if (parsed === norm) return true;
  // variables, command substitutions and globs are lexed differently: match them loosely, both ways special
  const special = /[$`*?[]/;
  return special.test(parsed) && special.test(raw);
}

function tokenize(text: string, start: number, end: number): { words: WordPos[]; operators: WordPos[] } {
  const words: WordPos[] = [];
  const operators: WordPos[] = [];
  let i = start;
  let cur: WordPos | undefined;
  let atLineStart = false;
  const flush = () => {
    if (cur) words.push(cur);
    cur = undefined;
  };
  const append = (ch: string, at: number, to: number) => {
    if (!cur) cur = { value: '', offset: at, end: to };
    cur.value += ch;
    cur.end = to;
  };
  while (i < end) {
    const c = text[i]!;
    // a line continuation: backslash, optional spaces, newline; then Docker drops comment and empty lines
    if (c === '\\') {
      const m = /^\\[ \t]*\r?\n/.exec(text.slice(i, Math.min(end, i + 200)));
      if (m) {
        i += m[0].length;
        atLineStart = true;
        continue;
      }
    }
    if (atLineStart) {
      const m = /^[ \t]*(#[^\n]*)?\r?\n/.exec(text.slice(i, end + 1));
      if (m) {
        i += m[0].length; // an empty or comment line inside a continued instruction
        continue;
      }
      atLineStart = false;
    }
    if (c === ' ' || c === '\t') {
      flush();
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      flush();
      operators.push({ value: '\n', offset: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === '#' && !cur) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 || nl > end ? end : nl;
      continue;
    }
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const stop = close < 0 || close >= end ? end : close;
      if (!cur) cur = { value: '', offset: i, end: i };
      cur.value += text.slice(i + 1, stop);
      cur.end = Math.min(end, stop + 1);
      i = stop + 1;
      continue;
    }
    if (c === '"') {
      if (!cur) cur = { value: '', offset: i, end: i };
      let j = i + 1;
      while (j < end && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < end) {
          const n = text[j + 1]!;
          if (n === '\n') {
            j += 2;
            continue;
          }
          cur.value += '"\\$`'.includes(n) ? n : '\\' + n;
          j += 2;
          continue;
        }
        cur.value += text[j];
        j++;
      }
      cur.end = Math.min(end, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '\\' && i + 1 < end) {
      append(text[i + 1]!, i, i + 2);
      i += 2;
      continue;
    }
    if (c === '$' && text[i + 1] === '(') {
      // command substitution: lexed like shell-quote does, "$" then the operator "(" and the inner words
      append('$', i, i + 1);
      flush();
      operators.push({ value: '(', offset: i + 1, end: i + 2 });
      i += 2;
      continue;
    }
    if (c === '$' && text[i + 1] === '{') {
      const close = text.indexOf('}', i);
      const stop = close < 0 || close >= end ? end - 1 : close;
      append(text.slice(i, stop + 1), i, stop + 1);
      i = stop + 1;
      continue;
    }
    if (';&|()<>'.includes(c)) {
      flush();
      let j = i + 1;
      while (j < end && ';&|<>'.includes(text[j]!) && j - i < 3) j++;
      operators.push({ value: text.slice(i, j), offset: i, end: j });
      i = j;
      continue;
    }
    append(c, i, i + 1);
    i++;
  }
  flush();
  return { words, operators };
}

/** Position of a command's word (by index in Cmd.argv) in the text, when located. */
export function wordPos(loc: Located | undefined, cmd: Cmd, argvIndex: number): WordPos | undefined {
  const p = loc?.commands[cmd.index]?.[cmd.rawIndex[argvIndex] ?? -1];
  return p && p.offset >= 0 ? p : undefined;
}

/** Position of the word `args[argIndex]` of a command (Cmd.args index). */
export function argPos(loc: Located | undefined, cmd: Cmd, argIndex: number): WordPos | undefined {
  return wordPos(loc, cmd, cmd.progAt + 1 + argIndex);
}

/** The span of the word `args[argIndex]` of a command, else (not located, or no index) of its program, else the instruction keyword. */
export function argSpan(ctx: { text: string; file: string }, loc: Located | undefined, instr: Instruction, cmd: Cmd, argIndex: number | undefined): Span {
  const p = argIndex === undefined ? undefined : argPos(loc, cmd, argIndex);
  return p ? spanOf(ctx, p.offset, p.end) : commandSpan(ctx, loc, instr, cmd);
}

/** The span of the first operand of a package command that is `word`, else of the command. */
export function operandSpan(ctx: { text: string; file: string }, loc: Located | undefined, instr: Instruction, pc: PkgCommand, word: string | undefined): Span {
  const first = positionals(pc.cmd.args.slice(pc.verbAt + 1), new Set()).find((p) => p.word === word);
  return argSpan(ctx, loc, instr, pc.cmd, first ? pc.verbAt + 1 + first.at : undefined);
}

/** An edit adding ` flag` right after a package command's verb, when the verb is written as is (not through a variable or quotes). */
export function addAfterVerb(text: string, loc: Located | undefined, pc: PkgCommand, flag: string): TextEdit | undefined {
  const verb = argPos(loc, pc.cmd, pc.verbAt);
  return verb && text.slice(verb.offset, verb.end) === pc.verb ? insertAt(verb.end, ` ${flag}`) : undefined;
}

/** The span of a command's word (default: its program), or the instruction keyword when it cannot be located. */
export function commandSpan(ctx: { text: string; file: string }, loc: Located | undefined, instr: Instruction, cmd: Cmd, argvIndex = cmd.progAt): Span {
  const p = wordPos(loc, cmd, argvIndex);
  return p ? spanOf(ctx, p.offset, p.end) : instr.keywordSpan;
}
