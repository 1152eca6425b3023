import type { ParseArgsConfig } from 'node:util';
import type { Io } from './io.js';

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export type CommandRun = (args: ParsedArgs, io: Io) => Promise<number>;

/**
 * Command metadata, kept apart from the implementations so `--help` and `--version` load nothing
 * heavy; each command's module is imported only when it runs.
 */
export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  details?: string;
  options: NonNullable<ParseArgsConfig['options']>;
  maxPositionals: number;
  load: () => Promise<{ run: CommandRun }>;
}

const repo = { type: 'string', short: 'r' } as const;
const json = { type: 'boolean' } as const;

export const COMMANDS: CommandSpec[] = [
  {
    name: 'init',
    summary: 'Create a new berth repository with one example stack',
    usage: 'berth init [DIR]',
    details: 'Creates berth.yml, hosts.yml and stacks/whoami/ in DIR (default: the current directory). Refuses to overwrite existing files.',
    options: {},
    maxPositionals: 1,
    load: () => import('./commands/init.js'),
  },
  {
    name: 'validate',
    summary: 'Check a repository: schemas, compose files, names, ports, variables, secrets',
    usage: 'berth validate [DIR] [--repo DIR] [--json]',
    details: 'Loads every file of the repository and reports every problem with file:line:col and a hint.\nExit 0 when there is no error (warnings are printed), 2 when there is one.',
    options: { repo, json },
    maxPositionals: 1,
    load: () => import('./commands/validate.js'),
  },
  {
    name: 'hosts',
    summary: 'List the hosts and the stacks each runs',
    usage: 'berth hosts [--repo DIR] [--json]',
    options: { repo, json },
    maxPositionals: 0,
    load: () => import('./commands/hosts.js'),
  },
  {
    name: 'stacks',
    summary: 'List the stacks, or those one host runs',
    usage: 'berth stacks [HOST] [--repo DIR] [--json]',
    options: { repo, json },
    maxPositionals: 1,
    load: () => import('./commands/stacks.js'),
  },
];
