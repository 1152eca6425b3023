import { parseArgs } from 'node:util';
import pkg from '../../package.json' with { type: 'json' };
import { suggest } from '../util/suggest.js';
import { WriteError } from '../util/atomic-write.js';
import { RunError, SelectionError } from '../run/errors.js';
import { EXIT, UsageError, type Io } from './io.js';
import { COMMANDS, type CommandSpec } from './registry.js';

const GLOBAL_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  'no-color': { type: 'boolean' },
  color: { type: 'boolean' },
  debug: { type: 'boolean' },
} as const;

export async function run(argv: string[], io: Io, commands: readonly CommandSpec[] = COMMANDS): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    return await dispatch(argv, io, commands);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${io.errStyle.red('error')}: ${e.message}\n`);
      return EXIT.INVALID;
    }
    if (e instanceof SelectionError) {
      io.err(`${io.errStyle.red('error')}: ${e.message}\n`);
      return EXIT.INVALID;
    }
    if (e instanceof WriteError || e instanceof RunError) {
      io.err(`${io.errStyle.red('error')}: ${e.message}\n`);
      return EXIT.FAILED;
    }
    const err = e as Error;
    io.err(`${io.errStyle.red('internal error')}: ${err.message}\nThis is a bug in berth ${pkg.version}. Please report it with the command you ran${debug ? ' and the trace below' : ' and its output with --debug'}.\n`);
    if (debug) io.err(`${err.stack ?? String(err)}\n`);
    return EXIT.INTERNAL;
  }
}

async function dispatch(argv: string[], io: Io, commands: readonly CommandSpec[]): Promise<number> {
  const first = argv.find((a) => !a.startsWith('-'));
  const spec = first === undefined ? undefined : commands.find((c) => c.name === first);
  if (first === 'help') {
    const topic = argv[argv.indexOf('help') + 1];
    const target = commands.find((c) => c.name === topic);
    io.out(target ? commandHelp(target) : mainHelp(commands));
    return EXIT.OK;
  }
  if (!spec) {
    const flags = parse(argv, {}, Number.POSITIVE_INFINITY);
    if (flags.values.version) {
      io.out(`${pkg.version}\n`);
      return EXIT.OK;
    }
    if (first === undefined || flags.values.help) {
      io.out(mainHelp(commands));
      return first === undefined && !flags.values.help ? EXIT.INVALID : EXIT.OK;
    }
    const close = suggest(first, commands.map((c) => c.name));
    throw new UsageError(`unknown command "${first}"${close ? `; did you mean "${close}"?` : ''} (see "berth --help")`);
  }
  const rest = argv.filter((a, i) => i !== argv.indexOf(first!));
  const args = parse(rest, spec.options, spec.maxPositionals, spec);
  if (args.values.help) {
    io.out(commandHelp(spec));
    return EXIT.OK;
  }
  const { run: runCommand } = await spec.load();
  return runCommand(args, io);
}

function parse(argv: string[], options: CommandSpec['options'], maxPositionals: number, spec?: CommandSpec) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`${msg}${spec ? `\nusage: ${spec.usage}` : ''}`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`too many arguments: ${parsed.positionals.slice(maxPositionals).join(' ')}${spec ? `\nusage: ${spec.usage}` : ''}`);
  }
  return parsed as { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
}

function mainHelp(commands: readonly CommandSpec[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `berth ${pkg.version}: one git repository describes a homelab; berth turns it into running, safe, audited containers.`,
    '',
    'Usage: berth <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     Show help (also: berth help <command>)',
    '  -V, --version  Show the version',
    '  --no-color     Never colour output (NO_COLOR is honoured too)',
    '  --debug        Show the stack trace of internal errors',
    '',
    'Exit codes: 0 ok, 1 findings or a failed operation, 2 bad usage or invalid configuration, 70 internal error.',
    '',
  ].join('\n');
}

function commandHelp(spec: CommandSpec): string {
  const opts = Object.entries(spec.options).map(([name, o]) => `  ${'short' in o && o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ' VALUE' : ''}`);
  return [`Usage: ${spec.usage}`, '', spec.summary + '.', ...(spec.details ? ['', spec.details] : []), '', 'Options:', ...opts, '  -h, --help', ''].join('\n');
}
