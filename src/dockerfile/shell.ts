import { parse as lex } from 'shell-quote';

/**
 * RUN commands as simple commands with their operators, from the shell-quote lexer (quotes,
 * escapes, operators and comments handled by it, not by regexes). A full shell parser was measured
 * and rejected: mvdan-sh costs 220 ms to load and sh-syntax 10 ms per command, which would break
 * the audit's speed target; rules only need commands, arguments and the operators between them.
 * Command substitutions `$(...)` are not descended into.
 */
export interface ShellCommand {
  /** Words after leading `VAR=value` assignments; variables are kept as written ($VAR). */
  argv: string[];
  /** Leading assignments (`DEBIAN_FRONTEND=noninteractive apt-get ...`). */
  assignments: Record<string, string>;
  /** The operator before this command (undefined for the first), e.g. "&&", "|", ";". */
  before?: string;
  /** The operator after this command. */
  after?: string;
}

const SEPARATORS = new Set(['&&', '||', ';', '|', '&', '|&', ';;', '(', ')', '<(', '>(']);
const REDIRECTIONS = new Set(['>', '>>', '<', '<<', '>&', '<&', '>|', '<>', '&>', '&>>']);
/** Reserved words that start a compound command; the command after them is what runs. */
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', '}', 'fi', 'done']);

export function parseShell(script: string): ShellCommand[] {
  const out: ShellCommand[] = [];
  // Heredoc bodies and multi-line scripts: each line ends a command unless continued.
  for (const line of script.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    let tokens: ReturnType<typeof lex>;
    try {
      tokens = lex(line, (key) => `$${key}`);
    } catch {
      continue; // unbalanced quotes on one line of a heredoc: nothing reliable to say
    }
    let current: ShellCommand = { argv: [], assignments: {} };
    let pendingOp: string | undefined;
    const flush = (op: string | undefined) => {
      if (current.argv.length || Object.keys(current.assignments).length) {
        if (op) current.after = op;
        out.push(current);
      }
      current = { argv: [], assignments: {} };
      if (op) pendingOp = op;
    };
    let skipNext = false;
    for (const t of tokens) {
      if (typeof t === 'string' && skipNext) {
        skipNext = false;
        continue;
      }
      skipNext = false;
      if (typeof t === 'string') {
        if (current.argv.length === 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(t)) {
          const eq = t.indexOf('=');
          current.assignments[t.slice(0, eq)] = t.slice(eq + 1);
          continue;
        }
        if (current.argv.length === 0 && pendingOp !== undefined) current.before = pendingOp;
        current.argv.push(t);
      } else if ('op' in t) {
        if (t.op === 'glob') {
          current.argv.push((t as unknown as { pattern: string }).pattern);
        } else if (SEPARATORS.has(t.op)) flush(t.op);
        else if (REDIRECTIONS.has(t.op)) {
          // `2>/dev/null`, `> out`: neither the file descriptor nor the target is an argument.
          if (/^\d+$/.test(current.argv[current.argv.length - 1] ?? '')) current.argv.pop();
          skipNext = true;
        } else current.argv.push(t.op);
      } else if ('comment' in t) break;
    }
    flush(undefined);
    pendingOp = undefined;
  }
  return out;
}

/** The program a command runs: basename of argv[0], looking through keywords (then, do...) and sudo/env/nohup/exec. */
export function program(cmd: ShellCommand): string | undefined {
  let i = 0;
  while (i < cmd.argv.length && KEYWORDS.has(cmd.argv[i]!)) i++;
  while (i < cmd.argv.length && ['sudo', 'env', 'nohup', 'exec', 'command', 'time'].includes(base(cmd.argv[i]!))) {
    i++;
    while (i < cmd.argv.length && (cmd.argv[i]!.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(cmd.argv[i]!))) i++;
  }
  const p = cmd.argv[i];
  return p === undefined ? undefined : base(p);
}

/** The arguments after the program (and after a subcommand when `sub` is given, e.g. "install"). */
export function argsOf(cmd: ShellCommand): string[] {
  const p = program(cmd);
  const i = cmd.argv.findIndex((a) => base(a) === p);
  return cmd.argv.slice(i + 1);
}

/** Whether a command has one of the flags; short flags may be combined (`-qy` has `-y`). */
export function hasFlag(cmd: ShellCommand, ...flags: string[]): boolean {
  return argsOf(cmd).some((a) => {
    if (flags.includes(a)) return true;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0 && flags.includes(a.slice(0, eq))) return true;
    if (/^-[A-Za-z]{2,}$/.test(a)) return flags.some((f) => /^-[A-Za-z]$/.test(f) && a.includes(f[1]!));
    return false;
  });
}

/** Non-flag arguments, e.g. the package names of `apt-get install -y curl`. */
export function operands(cmd: ShellCommand): string[] {
  return argsOf(cmd).filter((a) => !a.startsWith('-'));
}

function base(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
