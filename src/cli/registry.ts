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
    name: 'audit',
    summary: 'Audit compose files and Dockerfiles: security, reliability, conventions; graded report',
    usage: 'berth audit [PATH...] [--format text|markdown|json|sarif] [--output FILE] [--fail-on SEVERITY] [--profile P] [--fix | --fix-unsafe] [--dry-run]',
    details: [
      'PATH is a folder (searched for Dockerfile*, *.dockerfile, Containerfile*, *compose*.y(a)ml; .gitignore honoured),',
      'single files, or a berth repository (its roots, and everything berth validate finds, join the audit).',
      'Profiles: recommended (default), rootless-podman (default in berth repositories), strict.',
      'Configuration: --config FILE, .berthrc.yml, or the audit: section of berth.yml (schemas/audit.schema.json).',
      'Silence one finding with "# berth-ignore <rule> -- reason" on its line or the line above.',
      '--fix applies safe fixes, --fix-unsafe also those that change behaviour; both keep comments and formatting.',
      'Exit 0 when nothing is at or above --fail-on (default high), 1 when something is, 2 for bad usage or configuration.',
    ].join('\n'),
    options: {
      format: { type: 'string', short: 'f' },
      output: { type: 'string', short: 'o' },
      'fail-on': { type: 'string' },
      profile: { type: 'string' },
      config: { type: 'string', short: 'c' },
      fix: { type: 'boolean' },
      'fix-unsafe': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'list-rules': { type: 'boolean' },
    },
    maxPositionals: Number.POSITIVE_INFINITY,
    load: () => import('./commands/audit.js'),
  },
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
  {
    name: 'render',
    summary: 'Render what a host must run: Quadlet files or compose units, timers, firewall, proxy',
    usage: 'berth render HOST [--out DIR] [--mode quadlet|compose] [--explain] [--repo DIR]',
    details: [
      'Writes the files HOST needs into DIR (default: out/render/HOST) as a tree that mirrors the host:',
      'home/<user>/.config/containers/systemd/ (Quadlet), home/<user>/.config/systemd/user/ (units),',
      'home/<user>/.local/share/berth/ (stack folders, scripts, encrypted secrets), etc/ (firewall, prerequisites).',
      'HOST may be "all". --explain prints how each compose key was rendered: mapped, approximated, refused or ignored.',
      'Nothing is decrypted and nothing on the host is touched: render only writes DIR.',
    ].join('\n'),
    options: { repo, out: { type: 'string', short: 'o' }, mode: { type: 'string' }, explain: { type: 'boolean' }, json },
    maxPositionals: 1,
    load: () => import('./commands/render.js'),
  },
];
