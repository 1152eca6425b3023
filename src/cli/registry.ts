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
  {
    name: 'up',
    summary: 'Start stacks on this machine: systemd units when installed, else directly on the engine',
    usage: 'berth up [STACK...] [--host HOST] [--timeout SECONDS] [--repo DIR]',
    details: [
      'With berth\'s units installed and systemctl --user answering, starts berth-STACK.target (or .service).',
      'Otherwise runs the stack on Podman (or Docker) itself: directories prepared, secrets decrypted into memory,',
      'services started in dependency order, each after what it waits for is started, healthy or completed.',
      'An unchanged, running service is left alone; a changed or stuck unhealthy one is recreated.',
      'If a service fails, what this run started is stopped and left for inspection. No STACK: all of the host\'s stacks.',
      '--host picks whose roots and profiles to use; without it: the only host, else the one that is this machine',
      '(address "local", or name or address matching the hostname), else the one host that runs every STACK named.',
      'up does not build images (a build: section runs its image: as it is); scale or replicas above 1 are refused.',
      '--timeout bounds the wait for one stack (default 300 seconds). Exit 0 when every stack is up, 1 when one failed.',
    ].join('\n'),
    options: { repo, host: { type: 'string', short: 'H' }, timeout: { type: 'string' } },
    maxPositionals: Number.POSITIVE_INFINITY,
    load: () => import('./commands/up.js'),
  },
  {
    name: 'down',
    summary: 'Stop stacks and remove their containers and networks; data stays',
    usage: 'berth down [STACK...] [--volumes] [--host HOST] [--repo DIR]',
    details: [
      'With berth\'s units installed and systemctl --user answering, stops berth-STACK.target (or .service) first; then removes',
      'the stack\'s containers (a compose-mode unit\'s too) and networks, as without systemd.',
      'Named volumes and bind-mounted data are kept; --volumes also removes the volumes berth created for the stack (never external ones, never host directories).',
      'A STACK no longer in the repository (renamed or removed) is found by its containers\' io.berth.stack label and removed the same way.',
    ].join('\n'),
    options: { repo, host: { type: 'string', short: 'H' }, volumes: { type: 'boolean' } },
    maxPositionals: Number.POSITIVE_INFINITY,
    load: () => import('./commands/down.js'),
  },
  {
    name: 'restart',
    summary: 'Restart stacks: stop, then start in dependency order',
    usage: 'berth restart [STACK...] [--host HOST] [--timeout SECONDS] [--repo DIR]',
    details: 'With berth\'s units installed and systemctl --user answering: systemctl --user restart berth-STACK.target (or .service).\nOtherwise stops the running containers, dependents first, and starts the stack again as up does (keeping the containers).',
    options: { repo, host: { type: 'string', short: 'H' }, timeout: { type: 'string' } },
    maxPositionals: Number.POSITIVE_INFINITY,
    load: () => import('./commands/restart.js'),
  },
  {
    name: 'status',
    summary: 'Show each service: state, health, uptime, ports, image, and drift from the repository',
    usage: 'berth status [STACK...] [--host HOST] [--json] [--repo DIR]',
    details: [
      'Drift: "missing" (no container), "config changed" (the container was made from another config), "image updated" (its tag names a newer image),',
      '"not in the repository" (a container the stack no longer has), "not made by berth" (a container of that name from another project).',
      'A compose-mode unit\'s containers (podman-compose\'s) show "started by podman-compose: config not compared".',
      'Without STACK, stacks no longer in the repository whose containers remain are listed at the end (berth down NAME removes them).',
      'Without systemd, stale health verdicts are refreshed by running the check once. Exit 1 when any service is not as the repository wants it.',
    ].join('\n'),
    options: { repo, host: { type: 'string', short: 'H' }, json },
    maxPositionals: Number.POSITIVE_INFINITY,
    load: () => import('./commands/status.js'),
  },
  {
    name: 'logs',
    summary: 'Show the logs of a stack\'s containers',
    usage: 'berth logs STACK [SERVICE...] [-f] [--tail N] [--timestamps] [--host HOST] [--repo DIR]',
    details: 'Several containers are shown together, each line prefixed with its container (Podman). Docker shows one container at a time:\nwith several, their logs come one after another and -f does not follow (name one SERVICE to follow it).',
    options: { repo, host: { type: 'string', short: 'H' }, follow: { type: 'boolean', short: 'f' }, tail: { type: 'string', short: 'n' }, timestamps: { type: 'boolean', short: 't' } },
    maxPositionals: Number.POSITIVE_INFINITY,
    load: () => import('./commands/logs.js'),
  },
  {
    name: 'ps',
    summary: 'List the containers of berth\'s stacks on this machine',
    usage: 'berth ps [STACK...] [--engine podman|docker] [--json]',
    details: 'Lists containers labelled io.berth.stack (made by berth up or a Quadlet unit, stacks no longer in the repository included)\nand those podman-compose made (a compose-mode unit\'s; its project is shown as the stack). No repository is read.',
    options: { engine: { type: 'string' }, json },
    maxPositionals: Number.POSITIVE_INFINITY,
    load: () => import('./commands/ps.js'),
  },
  {
    name: 'doctor',
    summary: 'Check this machine for what rootless containers and berth\'s stacks need, with fixes',
    usage: 'berth doctor [--host HOST] [--json] [--repo DIR]',
    details: 'Checks the engine, its API socket, newuidmap/newgidmap, subuid/subgid ranges, the runtime dir, linger, /dev/net/tun,\nand for the host\'s stacks: data directories, required mounts, firewall ports, units and container health.\nExit 0 when nothing fails (warnings allowed), 1 when a check fails.',
    options: { repo, host: { type: 'string', short: 'H' }, json },
    maxPositionals: 0,
    load: () => import('./commands/doctor.js'),
  },
];
