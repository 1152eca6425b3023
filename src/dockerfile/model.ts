import type { Span } from '../diagnostics/span.js';
import type { ShellCommand } from './shell.js';

/** A Dockerfile as the audit sees it: stages of positioned instructions, with ARG/ENV resolved where known. */
export interface DockerfileModel {
  file: string;
  text: string;
  /** Instructions before the first FROM (global ARGs). */
  preamble: Instruction[];
  stages: Stage[];
  /** `# syntax=` and `# escape=` directives. */
  directives: Record<string, string>;
  comments: { text: string; span: Span }[];
  /** What keeps the file from building at all: no FROM, an unknown instruction, an unreadable file. */
  problems: { message: string; span: Span }[];
}

export interface Stage {
  index: number;
  /** `AS name`, lower-cased as BuildKit matches it. */
  name?: string;
  from: ImageRef;
  /** `--platform=` value, when given. */
  platform?: string;
  /** The FROM instruction itself is instructions[0]. */
  instructions: Instruction[];
  span: Span;
}

export interface ImageRef {
  /** As written, with variables substituted where their value is known. */
  text: string;
  registry?: string;
  /** Repository path without registry, e.g. "library/node" is written "node". */
  name: string;
  tag?: string;
  digest?: string;
  /** The image is an earlier stage of the same Dockerfile. */
  stage?: Stage;
  /** `scratch`: no base image at all. */
  scratch: boolean;
  /** Variables in the reference that have no known value: "cannot tell". */
  unresolved: string[];
  span: Span;
}

export interface Instruction {
  /** Upper-case keyword; ONBUILD triggers appear as their own keyword with `onbuild: true`. */
  keyword: string;
  /** Argument text with line continuations joined, flags included. */
  args: string;
  /** Argument text after the flags. */
  value: string;
  /** `value` with the ARG defaults and ENV values in scope substituted, where known. */
  expanded: string;
  flags: Flag[];
  /** Exec form (JSON array), when the instruction is written that way. */
  json?: string[];
  heredocs: { name: string; content: string }[];
  /** Commands of RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD, parsed once (exec form: one command, its argv). */
  shell?: ShellCommand[];
  span: Span;
  keywordSpan: Span;
  argsSpan: Span;
  stage?: number;
  onbuild?: boolean;
}

export interface Flag {
  name: string;
  value: string | null;
  span: Span;
}
