import { execWord, shQuote } from '../unit-file.js';

export interface SplitCommand {
  words: string[];
  /** A shell operator found outside quotes: compose runs no shell, so it is only a word. */
  operator?: string;
  /** An unterminated quote: the text does not split. */
  error?: string;
}

/**
 * A string `command:` or `entrypoint:` split into words as compose does (it uses a shellwords
 * parser, not a shell): blanks separate words, single quotes keep everything, double quotes and
 * a backslash escape the next character. No variable, glob or operator has a meaning.
 */
export function splitCommand(text: string): SplitCommand {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  let operator: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    if (';&|<>'.includes(c)) operator ??= c;
    word += c;
    inWord = true;
  }
  if (quote) return { words, error: `an unterminated ${quote === '"' ? 'double' : 'single'} quote` };
  if (inWord) words.push(word);
  return operator === undefined ? { words } : { words, operator };
}

/**
 * An entrypoint as podman's --entrypoint takes it: a plain program, or a JSON array for several
 * words (or for a lone ";", which Quadlet would write bare into ExecStart=; see quadletWordLoss).
 */
export function entrypointValue(words: readonly string[]): string {
  if (words.length === 1 && words[0] !== ';' && /^[^\s"'\\[\]]+$/.test(words[0]!)) return words[0]!;
  return JSON.stringify(words);
}

/**
 * Why Quadlet (Podman 5.4) cannot pass `word` to podman as one argument, if it cannot. Read from
 * its generator (pkg/systemd/parser/split.go), and checked by running it on each case:
 * - Exec= and PodmanArgs= are split like an Exec line, but the splitter stops at an empty word
 *   ("" or ''): that word and every word after it are dropped, without an error;
 * - every argument is written into ExecStart= quoted only when it holds a blank, a quote, a
 *   backslash or a control character, so a word that is just ";" comes out bare, and systemd
 *   reads a bare ";" as the end of the command (it then refuses the unit, or, for a oneshot, runs
 *   the rest as a second command);
 * - U+0080 is written as "\x80", which systemd reads as the byte 0x80, not the character;
 * - a NUL cannot be written at all (and no program argument can hold one).
 * Nothing written in the Quadlet file gets past these: the generator re-quotes every word itself.
 */
export function quadletWordLoss(word: string): string | undefined {
  if (word === '') return 'it is empty, and Quadlet stops reading the line at an empty word: it and every word after it would be dropped';
  if (word === ';') return 'it is a lone ";", which Quadlet writes unquoted into ExecStart=, where systemd reads it as the end of the command';
  if (word.includes('\u0080')) return 'it holds U+0080, which Quadlet writes as \\x80 into ExecStart=, where systemd reads the byte 0x80 instead';
  if (word.includes('\0')) return 'it holds a NUL character, which no program argument can hold';
  return undefined;
}

/**
 * One PodmanArgs= value: an option and its value as two words, or, when the value would not get
 * through Quadlet's splitter (quadletWordLoss: empty or ";"), as one `--option=value` word, which
 * podman's option parser reads the same way (for a long option: `-v=` would be the value "=").
 */
export function podmanArgsValue(words: readonly string[]): string {
  const [option, value] = words;
  const joined = words.length === 2 && option!.startsWith('--') && (value === '' || value === ';') ? [`${option}=${value}`] : words;
  return joined.map(execWord).join(' ');
}

const KEYWORDS = new Set(['CMD', 'CMD-SHELL', 'NONE']);

export interface HealthCommand {
  /** The value of HealthCmd=. */
  value: string;
  /** Set when podman will not run exactly what compose would. */
  approximation?: string;
}

/**
 * A compose healthcheck `test` as podman's --health-cmd reads it. Podman parses a JSON array,
 * but splits one whose first word is CMD at blanks of the raw text, so exec form is written
 * without the CMD word (podman adds it back); CMD-SHELL keeps its one string exactly.
 */
export function healthCommand(test: readonly string[]): HealthCommand | undefined {
  const [kind, ...args] = test;
  switch (kind?.toUpperCase()) {
    case 'NONE':
      return { value: 'none' };
    case 'CMD-SHELL':
      return args.length === 1 ? { value: JSON.stringify(['CMD-SHELL', args[0]]) } : undefined;
    case 'CMD':
      if (args.length >= 2 && !KEYWORDS.has(args[0]!.toUpperCase())) return { value: JSON.stringify(args) };
      if (args.length >= 2) {
        return {
          value: JSON.stringify(['CMD-SHELL', args.map(shQuote).join(' ')]),
          approximation: `a program named ${args[0]} reads to podman as a healthcheck keyword; it runs through /bin/sh -c, quoted`,
        };
      }
      if (args.length === 1 && /^\S+$/.test(args[0]!) && !args[0]!.startsWith('[')) return { value: `CMD ${args[0]}` };
      if (args.length === 1) {
        return {
          value: JSON.stringify(['CMD-SHELL', shQuote(args[0]!)]),
          approximation: 'a one-word exec test with blanks cannot reach podman as one word; it runs through /bin/sh -c, quoted',
        };
      }
      return undefined;
    default:
      return undefined;
  }
}
