
/**
 * Compose-spec interpolation of one string: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?message}`, `${VAR?message}`, `${VAR:+alt}`, `${VAR+alt}`, with nesting inside defaults.
 * Pure: the caller decides what an unset variable means (an error in a berth repository, "cannot tell"
 * in an audit of someone else's files).
 */
export interface InterpolationResult {
  value: string;
  /** Variables read without a value and without a default or alternative that covered them. */
  unresolved: string[];
  /** Every variable the string reads, set or not. */
  used: string[];
  /** `${VAR:?msg}` / `${VAR?msg}` whose variable was missing. */
  required: { name: string; message: string }[];
  /** Malformed syntax, with the 0-based offset in the string. */
  syntax?: { offset: number; message: string };
}

export type Lookup = (name: string) => string | undefined;

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

export function interpolate(input: string, lookup: Lookup): InterpolationResult {
  const res: InterpolationResult = { value: '', unresolved: [], used: [], required: [] };
  if (!input.includes('$')) return { ...res, value: input };
  try {
    res.value = new Parser(input, lookup, res).parseUntil(input.length, false);
  } catch (e) {
    if (e instanceof SyntaxFault) {
      res.syntax = { offset: e.offset, message: e.message };
      res.value = input;
    } else throw e;
  }
  res.unresolved = [...new Set(res.unresolved)];
  res.used = [...new Set(res.used)];
  return res;
}

class SyntaxFault extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

class Parser {
  private pos = 0;
  constructor(
    private readonly s: string,
    private readonly lookup: Lookup,
    private readonly res: InterpolationResult,
  ) {}

  /** Reads text up to `end`, or up to the closing brace of an enclosing `${...}` when `inBraces`. */
  parseUntil(end: number, inBraces: boolean, open = -1): string {
    let out = '';
    while (this.pos < end) {
      const c = this.s[this.pos]!;
      if (inBraces && c === '}') return out;
      if (c !== '$') {
        out += c;
        this.pos++;
        continue;
      }
      const next = this.s[this.pos + 1];
      if (next === '$') {
        out += '$';
        this.pos += 2;
      } else if (next === '{') {
        out += this.braced();
      } else if (next !== undefined && NAME_START.test(next)) {
        this.pos++;
        const name = this.name();
        out += this.read(name);
      } else {
        // Like a shell, a "$" that starts no variable is kept as written (bcrypt hashes are full of them).
        out += '$';
        this.pos++;
      }
    }
    if (inBraces) throw new SyntaxFault('"${" is never closed with "}"', open);
    return out;
  }

  private name(): string {
    const start = this.pos;
    while (this.pos < this.s.length && NAME_CHAR.test(this.s[this.pos]!)) this.pos++;
    return this.s.slice(start, this.pos);
  }

  private read(name: string): string {
    this.res.used.push(name);
    const v = this.lookup(name);
    if (v === undefined) {
      this.res.unresolved.push(name);
      return '';
    }
    return v;
  }

  private braced(): string {
    const open = this.pos;
    this.pos += 2;
    if (!NAME_START.test(this.s[this.pos] ?? '')) {
      throw new SyntaxFault(
        this.s[this.pos] === '}' ? 'empty variable name in "${}"' : `"\${" must be followed by a variable name`,
        open,
      );
    }
    const name = this.name();
    const c = this.s[this.pos];
    if (c === '}') {
      this.pos++;
      return this.read(name);
    }
    let op: string;
    if (c === ':' && ['-', '?', '+'].includes(this.s[this.pos + 1] ?? '')) op = `:${this.s[this.pos + 1]}`;
    else if (c === '-' || c === '?' || c === '+') op = c;
    else if (c === undefined) throw new SyntaxFault('"${" is never closed with "}"', open);
    else throw new SyntaxFault(`unexpected "${c}" after variable name "${name}" in "\${...}"`, this.pos);
    this.pos += op.length;
    this.res.used.push(name);
    const value = this.lookup(name);
    const colon = op.startsWith(':');
    const present = colon ? value !== undefined && value !== '' : value !== undefined;
    // The operand is parsed either way (it may be malformed), but only the branch taken may record
    // unresolved or required variables.
    const shadow: InterpolationResult = { value: '', unresolved: [], used: [], required: [] };
    const operandRes = op.endsWith('-') ? (present ? shadow : this.res) : op.endsWith('+') ? (present ? this.res : shadow) : shadow;
    const operand = new Parser(this.s, this.lookup, operandRes);
    operand.pos = this.pos;
    const text = operand.parseUntil(this.s.length, true, open);
    this.res.used.push(...shadow.used);
    this.pos = operand.pos + 1;
    if (op.endsWith('-')) return present ? value! : text;
    if (op.endsWith('+')) return present ? text : '';
    if (!present) {
      this.res.required.push({ name, message: text });
      if (value === undefined) this.res.unresolved.push(name);
    }
    return value ?? '';
  }
}

