import { DockerfileParser, type Instruction as AstInstruction } from 'dockerfile-ast';
import type { Span } from '../diagnostics/span.js';
import type { DockerfileModel, Flag, ImageRef, Instruction, Stage } from './model.js';
import { parseShell } from './shell.js';

interface Pos {
  line: number;
  character: number;
}

/** Parses a Dockerfile (BuildKit syntax, heredocs included) into the audit's model. Never throws for bad input. */
export function parseDockerfile(text: string, file: string): DockerfileModel {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: Pos) => (lineStarts[p.line] ?? text.length) + p.character;
  const span = (r: { start: Pos; end: Pos } | null | undefined): Span => {
    if (!r) return { file, line: 1, col: 1, endLine: 1, endCol: 1, offset: 0, endOffset: 0 };
    return { file, line: r.start.line + 1, col: r.start.character + 1, endLine: r.end.line + 1, endCol: r.end.character + 1, offset: offset(r.start), endOffset: offset(r.end) };
  };

  const df = DockerfileParser.parse(text);
  const directives: Record<string, string> = {};
  for (const d of df.getDirectives()) directives[d.getName().toLowerCase()] = d.getValue();
  const comments = df.getComments().map((c) => ({ text: c.getContent() ?? '', span: span(c.getRange()) }));

  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  const globalArgs = new Map<string, string | undefined>();
  // Variables in scope in the current stage: redeclared global ARGs, the stage's ARGs and ENVs.
  let scope = new Map<string, string | undefined>();

  for (const ast of df.getInstructions()) {
    const instr = toInstruction(ast, text, span);
    if (instr.keyword === 'FROM') {
      const index = stages.length;
      instr.stage = index;
      const asMatch = /\s+as\s+(\S+)\s*$/i.exec(instr.value);
      const imageText = (asMatch ? instr.value.slice(0, asMatch.index) : instr.value).trim();
      const platform = instr.flags.find((f) => f.name === 'platform')?.value ?? undefined;
      const from = imageRef(imageText, globalArgs, stages, span(ast.getArgumentsRange()));
      const stage: Stage = { index, from, instructions: [instr], span: instr.span };
      scope = new Map();
      if (asMatch) stage.name = asMatch[1]!.toLowerCase();
      if (platform) stage.platform = platform;
      stages.push(stage);
      continue;
    }
    const current = stages[stages.length - 1];
    if (!current) {
      preamble.push(instr);
      if (instr.keyword === 'ARG') for (const [k, v] of argPairs(instr.value)) globalArgs.set(k, v);
      continue;
    }
    instr.stage = current.index;
    instr.expanded = substitute(instr.value, scope).text;
    if (instr.keyword === 'ARG') for (const [k, v] of argPairs(instr.value)) scope.set(k, v ?? globalArgs.get(k));
    if (instr.keyword === 'ENV') for (const [k, v] of envPairs(instr.expanded)) scope.set(k, v);
    current.instructions.push(instr);
    current.span = { ...current.span, endLine: instr.span.endLine, endCol: instr.span.endCol, endOffset: instr.span.endOffset };
  }
  return { file, text, preamble, stages, directives, comments, problems: problems(preamble, stages, df.getInstructions().length, file) };
}

const KEYWORDS = new Set(['ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

function problems(preamble: Instruction[], stages: Stage[], count: number, file: string): DockerfileModel['problems'] {
  const out: DockerfileModel['problems'] = [];
  if (count === 0) return [{ message: 'the Dockerfile has no instructions: there is nothing to build', span: { file, line: 1, col: 1, endLine: 1, endCol: 1, offset: 0, endOffset: 0 } }];
  for (const i of [...preamble, ...stages.flatMap((s) => s.instructions)]) {
    if (!KEYWORDS.has(i.keyword)) {
      const close = [...KEYWORDS].find((k) => k.length === i.keyword.length && [...k].filter((c, n) => c !== i.keyword[n]).length <= 1) ?? [...KEYWORDS].find((k) => [...k].sort().join('') === [...i.keyword].sort().join(''));
      out.push({ message: `unknown instruction ${i.keyword}${close ? ` (did you mean ${close}?)` : ''}: the build stops here`, span: i.keywordSpan });
    }
  }
  for (const i of stages.length ? preamble : []) {
    if (i.keyword !== 'ARG' && KEYWORDS.has(i.keyword)) out.push({ message: `${i.keyword} before the first FROM: only ARG may come before FROM`, span: i.keywordSpan });
  }
  if (stages.length === 0) out.push({ message: 'the Dockerfile has no FROM instruction: there is nothing to build on', span: preamble[0]?.keywordSpan ?? { file, line: 1, col: 1, endLine: 1, endCol: 1 } });
  return out;
}

function toInstruction(ast: AstInstruction, text: string, span: (r: { start: Pos; end: Pos } | null | undefined) => Span): Instruction {
  const keyword = ast.getKeyword().toUpperCase();
  const args = ast.getArgumentsContent() ?? '';
  const flags: Flag[] =
    'getFlags' in ast && typeof ast.getFlags === 'function'
      ? (ast.getFlags() as { getName(): string; getValue(): string | null; getRange(): { start: Pos; end: Pos } }[]).map((f) => ({
          name: f.getName().toLowerCase(),
          value: f.getValue(),
          span: span(f.getRange()),
        }))
      : [];
  const value = flags.length ? args.replace(/^(\s*--\S+)+\s*/, '') : args.trim();
  const instr: Instruction = {
    keyword,
    args,
    value,
    expanded: value,
    flags,
    heredocs: [],
    span: span(ast.getRange()),
    keywordSpan: span(ast.getInstructionRange()),
    argsSpan: span(ast.getArgumentsRange()),
  };
  const withHeredocs = ast as unknown as { getHeredocs?: () => { getName(): string; getContentRange(): { start: Pos; end: Pos } | null }[] };
  if (keyword === 'RUN' || keyword === 'COPY') {
    const heredocs = withHeredocs.getHeredocs?.() ?? [];
    instr.heredocs = heredocs.map((h) => {
      const r = h.getContentRange();
      const s = r ? span(r) : undefined;
      return { name: h.getName(), content: s ? text.slice(s.offset, s.endOffset) : '' };
    });
  }
  if (['RUN', 'CMD', 'ENTRYPOINT', 'SHELL'].includes(keyword) && value.trimStart().startsWith('[')) {
    try {
      const parsed = JSON.parse(value) as unknown;
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) instr.json = parsed;
    } catch {
      // Not valid JSON: Docker then runs it in shell form, and so does the model.
    }
  }
  if (keyword === 'HEALTHCHECK') {
    // HEALTHCHECK [options] CMD command: the command in exec or shell form, like CMD itself.
    const cmd = /^CMD\s+([\s\S]*)$/i.exec(value.trim());
    if (cmd) {
      const body = cmd[1]!.trim();
      let json: string[] | undefined;
      if (body.startsWith('[')) {
        try {
          const parsed = JSON.parse(body) as unknown;
          if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) json = parsed;
        } catch {
          // shell form after all
        }
      }
      if (json) instr.json = json;
      instr.shell = json ? [{ argv: json, assignments: {} }] : parseShell(body);
    }
  }
  if (keyword === 'RUN' || keyword === 'CMD' || keyword === 'ENTRYPOINT') {
    if (instr.json) {
      const j = instr.json;
      const c = j.findIndex((a) => a === '-c');
      instr.shell = c > 0 && /(^|\/)(ba|da|a)?sh$/.test(j[0] ?? '') && j[c + 1] !== undefined ? parseShell(j[c + 1]!) : [{ argv: j, assignments: {} }];
    } else {
      const script = instr.heredocs.length ? instr.heredocs.map((h) => h.content).join('\n') : value;
      instr.shell = parseShell(script);
    }
  }
  return instr;
}

/** `ARG A=1 B` → [[A, "1"], [B, undefined]]. */
function argPairs(value: string): [string, string | undefined][] {
  return value
    .split(/\s+/)
    .filter(Boolean)
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? [p, undefined] : [p.slice(0, eq), p.slice(eq + 1).replace(/^(["'])(.*)\1$/, '$2')];
    });
}

/** `ENV A=1 B="two words"` and the legacy `ENV A one value`. */
function envPairs(value: string): [string, string][] {
  const legacy = /^([A-Za-z_][A-Za-z0-9_]*)\s+([^=]*)$/.exec(value.trim());
  if (legacy) return [[legacy[1]!, legacy[2]!.trim()]];
  const out: [string, string][] = [];
  for (const m of value.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)) out.push([m[1]!, m[2]!.replace(/^(["'])([\s\S]*)\1$/, '$2')]);
  return out;
}

/** Substitutes ${VAR}, $VAR and ${VAR:-default} with known build-arg defaults. */
export function substitute(text: string, vars: Map<string, string | undefined>): { text: string; unresolved: string[] } {
  const unresolved: string[] = [];
  const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, braced: string, op: string, word: string, bare: string) => {
    const name = braced ?? bare;
    const v = vars.get(name);
    if (op === '-') return v ?? word ?? '';
    if (op === '+') return v !== undefined ? (word ?? '') : '';
    if (v === undefined) {
      unresolved.push(name);
      return `\${${name}}`;
    }
    return v;
  });
  return { text: out, unresolved };
}

function imageRef(written: string, args: Map<string, string | undefined>, stages: Stage[], at: Span): ImageRef {
  const { text, unresolved } = substitute(written, args);
  const ref: ImageRef = { text, name: text, scratch: text.toLowerCase() === 'scratch', unresolved, span: at };
  let rest = text;
  const at_ = rest.indexOf('@');
  if (at_ >= 0) {
    ref.digest = rest.slice(at_ + 1);
    rest = rest.slice(0, at_);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    ref.tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const first = rest.split('/')[0]!;
  if (rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    ref.registry = first;
    rest = rest.slice(first.length + 1);
  }
  ref.name = rest;
  const stage = stages.find((s) => s.name !== undefined && s.name === text.toLowerCase());
  if (stage) ref.stage = stage;
  return ref;
}
