import type { ShellCommand } from '../../../dockerfile/shell.js';
import { argsOf, hasFlag, operands, program } from '../../../dockerfile/shell.js';
import type { DockerfileRule } from '../../rule.js';
import { byScript, commandSpan, commandsOf, CURL_VALUE_OPTIONS, isShell, type Located } from './_shared.js';


const STDIN = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

const INTERPRETERS = new Set(['python', 'python2', 'python3', 'perl', 'ruby', 'node', 'php']);

/** curl or wget writing the download to standard output. */
export function downloadsToStdout(cmd: ShellCommand): boolean {
  const p = program(cmd);
  if (p === 'curl') {
    const args = argsOf(cmd);
    const stdout = (v: string | undefined) => v === '-' || v === '/dev/stdout';
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '--output' || a === '--output-dir') {
        if (a === '--output' && !stdout(args[i + 1])) return false;
      } else if (a.startsWith('--output=')) {
        if (!stdout(a.slice(9))) return false;
      } else if (a === '--remote-name' || a === '--remote-name-all' || a === '--remote-header-name') return false;
      else if (/^-[A-Za-z0-9#:]/.test(a)) {
        // short options, possibly combined (-fsSLo file); stop at the first one that takes a value
        for (let k = 1; k < a.length; k++) {
          const c = a[k]!;
          if (c === 'O' || c === 'J') return false;
          if (c === 'o') {
            const value = k + 1 < a.length ? a.slice(k + 1) : args[i + 1];
            if (!stdout(value)) return false;
            break;
          }
          if (CURL_VALUE_OPTIONS.includes(c)) break;
        }
      }
    }
    return true;
  }
  if (p === 'wget') {
    const args = argsOf(cmd);
    return args.some((a, i) => /^-[A-Za-z]*O-$/.test(a) || a === '--output-document=-' || a === '-O/dev/stdout' || ((/^-[A-Za-z]*O$/.test(a) || a === '--output-document') && (args[i + 1] === '-' || args[i + 1] === '/dev/stdout')));
  }
  return false;
}

/** A shell or interpreter that runs the script it reads on standard input. */
export function runsStdin(cmd: ShellCommand): boolean {
  const p = program(cmd);
  if (p === undefined) return false;
  const shell = isShell(p);
  if (!shell && !INTERPRETERS.has(p)) return false;
  const args = argsOf(cmd);
  if (shell) {
    if (hasFlag(cmd, '-c')) return false;
    if (hasFlag(cmd, '-s')) return true;
  } else if (args.some((a) => /^-[A-Za-z]*[cemr]$/.test(a))) {
    return args.includes('-') || args.some((a) => STDIN.has(a));
  }
  const first = operands(cmd)[0];
  return first === undefined || STDIN.has(first);
}

/** The URL a download command fetches, for messages. */
function urlOf(cmd: ShellCommand): string {
  const ops = operands(cmd);
  return ops.find((o) => /^(https?|ftp):\/\//i.test(o)) ?? ops.find((o) => o.includes('$') || o.includes('.')) ?? 'a download';
}

/** `curl ... | sh`, `wget -O- ... | bash`, `bash <(curl ...)`, `sh -c "$(curl ...)"`: remote code run unverified. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'curl-pipe-shell',
    title: 'Downloaded scripts are verified before they run',
    category: 'security',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    let downloads = false;
    for (const stage of ctx.dockerfile.stages) {
      for (const instr of stage.instructions) {
        if (!instr.shell) continue;
        const all = commandsOf(ctx, instr);
        if (all.some((l) => ['curl', 'wget'].includes(program(l.cmd) ?? ''))) downloads = true;
        const report = (dl: Located, runner: ShellCommand, how: 'pipe' | 'feed' | 'run') => {
          const url = urlOf(dl.cmd);
          const tool = program(dl.cmd)!;
          const into = program(runner) === '$' ? 'the shell' : (program(runner) ?? 'the shell');
          const what = how === 'pipe' ? `pipes ${url} from ${tool} straight into ${into}` : how === 'feed' ? `feeds ${url} from ${tool} to ${into} through <(...)` : `runs ${url}, fetched with ${tool}, as a script in ${into}`;
          ctx.report({
            span: commandSpan(ctx, instr, dl),
            message: `${instr.keyword} ${what}: whatever the server (or anyone in between) sends runs in the build. Download the script, check its checksum or signature, then run it`,
          });
        };
        const flagged = new Set<Located>();
        // Pipes are followed within one script.
        for (const list of byScript(all)) {
          list.forEach((l, i) => {
            const p = program(l.cmd);
            if (p !== 'curl' && p !== 'wget') return;
            // curl ... | [tee ... |] sh
            if (downloadsToStdout(l.cmd)) {
              for (let j = i + 1; j < list.length && list[j]!.cmd.before === '|'; j++) {
                if (runsStdin(list[j]!.cmd)) {
                  report(l, list[j]!.cmd, 'pipe');
                  flagged.add(l);
                  break;
                }
                if (list[j]!.cmd.after !== '|') break;
              }
            }
            // bash <(curl ...), source <(curl ...)
            const prev = list[i - 1];
            if (!flagged.has(l) && l.cmd.before === '<(' && prev && prev.cmd.after === '<(') {
              const pp = program(prev.cmd);
              if (isShell(pp) || (pp !== undefined && INTERPRETERS.has(pp)) || pp === 'source' || pp === '.') {
                report(l, prev.cmd, 'feed');
                flagged.add(l);
              }
            }
          });
        }
        // sh -c "$(curl ...)", eval "$(curl ...)"
        for (const l of all) {
          if (flagged.has(l) || !l.substitution || !l.inside || (l.cmd.before !== undefined && l.cmd.before !== '(')) continue;
          const p = program(l.cmd);
          if ((p !== 'curl' && p !== 'wget') || !downloadsToStdout(l.cmd)) continue;
          const runner = l.inside;
          if (runner.argv.length === 1 && runner.argv[0] === '$') {
            // `$(curl ...)` is the whole command: its output runs, in the shell of `sh -c` when there is one
            const parent = all.find((x) => x.cmd === runner)?.inside;
            report(l, parent ?? runner, 'run');
            continue;
          }
          const outer = program(runner);
          if ((isShell(outer) && hasFlag(runner, '-c')) || outer === 'eval') report(l, runner, 'run');
        }
      }
    }
    if (!downloads) ctx.skip(); // no curl or wget: downloads nothing
  },
  cases: {
    valid: [
      { name: 'download, verify, run', code: 'FROM debian:12\nRUN curl -fsSLo /tmp/install.sh https://example.com/install.sh \\\n && echo "abc123  /tmp/install.sh" | sha256sum -c - \\\n && sh /tmp/install.sh\n' },
      { name: 'piping into tar or a JSON parser', code: 'FROM debian:12\nRUN curl -fsSL https://example.com/app.tar.gz | tar -xz -C /opt\nRUN curl -s https://api.example.com/v | python3 -c "import json,sys; print(json.load(sys.stdin))"\n' },
      { name: 'wget to a file piped nowhere', code: 'FROM alpine:3.20\nRUN wget -q https://example.com/x.sh | cat\n' },
      { name: 'downloads written to a file or /dev/null', code: 'FROM alpine:3.20\nRUN curl -fsSL -o /dev/null https://example.com/x | sh\nRUN curl -sSLO https://example.com/x.sh | cat\n' },
      { name: 'shell with a script file', code: 'FROM alpine:3.20\nRUN curl -fsSL https://example.com/v | bash ./check.sh\n' },
    ],
    invalid: [
      {
        name: 'curl into sh, wget into sudo bash',
        code: 'FROM ubuntu:24.04\nRUN apt-get update && curl -fsSL https://get.docker.com | sh\nRUN wget -qO- https://deb.nodesource.com/setup_20.x | sudo -E bash -\nRUN curl -fsSL https://dot.net/v1/dotnet-install.sh | bash /dev/stdin --channel 8.0\n',
        errors: [
          { line: 2, column: 23, message: /^RUN pipes https:\/\/get\.docker\.com from curl straight into sh/ },
          { line: 3, column: 5, message: /from wget straight into bash/ },
          { line: 4, column: 5, message: /dotnet-install\.sh from curl straight into bash/ },
        ],
      },
      {
        name: 'process and command substitution, through tee, in sh -c',
        code: 'FROM debian:12\nRUN bash <(curl -s https://example.com/a.sh)\nRUN sh -c "$(curl -fsSL https://raw.githubusercontent.com/ohmyzsh/ohmyzsh/master/tools/install.sh)"\nRUN ["/bin/sh", "-c", "curl -sSL https://install.python-poetry.org | tee /tmp/p | python3 -"]\n',
        errors: [
          { line: 2, column: 12, message: /^RUN feeds https:\/\/example\.com\/a\.sh from curl to bash through <\(\.\.\.\)/ },
          { line: 3, column: 14, message: /^RUN runs https:\/\/raw\.githubusercontent\.com\/\S+, fetched with curl, as a script in sh:/ },
          { line: 4, column: 24, message: /into python3/ },
        ],
      },
      {
        name: 'eval, curl -o- and an unquoted substitution',
        code: 'FROM debian:12\nRUN eval "$(wget -qO- https://example.com/env.sh)"\nRUN curl -o- https://raw.githubusercontent.com/nvm-sh/nvm/v0.39.5/install.sh | bash\nRUN sh -c $(curl -fsSL https://example.com/x)\n',
        errors: [
          { line: 2, column: 13, message: /^RUN runs https:\/\/example\.com\/env\.sh, fetched with wget, as a script in eval/ },
          { line: 3, column: 5, message: /install\.sh from curl straight into bash/ },
          { line: 4, column: 13, message: /as a script in sh/ },
        ],
      },
    ],
  },
};
