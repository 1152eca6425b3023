import { argsOf, hasFlag, operands, program } from '../../../dockerfile/shell.js';
import type { DockerfileRule } from '../../rule.js';
import { argSpan, byScript, commandSpan, commandsOf, type Located } from './_shared.js';

/** Password values that lock an account rather than set a password. */
const LOCKED = new Set(['*', '!', '!!', 'x', '!*']);

/** What a command does to passwords: 'set', 'empty', or undefined. Also the argument to point at. */
export function passwordChange(list: Located[], i: number): { kind: 'set' | 'empty'; arg?: string; user?: string } | undefined {
  const cmd = list[i]!.cmd;
  const p = program(cmd);
  const args = argsOf(cmd);
  const prev = list[i - 1];
  const piped = cmd.before === '|' && prev !== undefined ? prev.cmd : undefined;
  if (p === 'chpasswd' || p === 'chgpasswd') {
    // echo 'root:' | chpasswd: an empty password
    const fed = piped && ['echo', 'printf'].includes(program(piped) ?? '') ? operands(piped).find((o) => /^[^:\s]+:/.test(o)) : undefined;
    if (fed && /^[^:\s]+:$/.test(fed)) return { kind: 'empty', user: fed.slice(0, -1) };
    return { kind: 'set' };
  }
  if (p === 'passwd') {
    const user = operands(cmd)[0];
    if (hasFlag(cmd, '-d', '--delete')) return { kind: 'empty', arg: args.find((a) => a === '--delete' || /^-[A-Za-z]*d[A-Za-z]*$/.test(a)), ...(user ? { user } : {}) };
    if (hasFlag(cmd, '--stdin') || piped) return { kind: 'set', ...(user ? { user } : {}) };
    return undefined;
  }
  if (p === 'useradd' || p === 'usermod' || p === 'adduser') {
    const k = args.findIndex((a) => a === '-p' || a === '--password' || a.startsWith('--password='));
    if (k < 0) return undefined;
    const value = args[k]!.startsWith('--password=') ? args[k]!.slice(11) : args[k + 1];
    if (value === undefined || LOCKED.has(value)) return undefined;
    const user = operands(cmd).filter((o) => o !== value).pop();
    return { kind: value === '' ? 'empty' : 'set', arg: args[k], ...(user ? { user } : {}) };
  }
  return undefined;
}

/** Passwords set (chpasswd, passwd --stdin, useradd -p) or emptied (passwd -d) during the build. */
export const rule: DockerfileRule = {
  target: 'dockerfile',
  meta: {
    id: 'chpasswd-in-build',
    title: 'No passwords are set in the image',
    category: 'security',
    severity: 'medium',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  check(ctx) {
    for (const stage of ctx.dockerfile.stages) {
      for (const instr of stage.instructions) {
        if (instr.keyword !== 'RUN' || !instr.shell) continue;
        for (const list of byScript(commandsOf(ctx, instr))) {
          list.forEach((l, i) => {
            const change = passwordChange(list, i);
            if (!change) return;
            const tool = program(l.cmd)!;
            const span = change.arg ? argSpan(ctx, instr, l, change.arg) : commandSpan(ctx, instr, l);
            const who = change.user ? `${change.user}` : 'an account';
            ctx.report({
              span,
              message:
                change.kind === 'empty'
                  ? `RUN gives ${who} an empty password (${tool}${change.arg ? ` ${change.arg}` : ''}): anything that reaches a login (su, sshd) gets in without one. Lock the account (passwd -l) instead`
                  : `RUN sets a password for ${who} with ${tool}: the password or its hash is baked into the image layers and history, and every container of the image shares it. Lock the account, use keys, or set credentials at run time`,
            });
          });
        }
      }
    }
  },
  cases: {
    valid: [
      { name: 'users without passwords, locked accounts', code: 'FROM debian:12\nRUN useradd -r -u 1000 app && passwd -l root\nRUN adduser --disabled-password --gecos "" web\nFROM alpine:3.20\nRUN adduser -D -u 1000 app && usermod -p "*" app\n' },
      { name: 'a password word in other commands', code: 'FROM alpine:3.20\nRUN echo "passwd and chpasswd are not run here" > /README\n' },
    ],
    invalid: [
      {
        name: 'chpasswd and passwd --stdin',
        code: 'FROM ubuntu:24.04\nRUN useradd -m dev && echo "dev:dev" | chpasswd\nFROM rockylinux:9\nRUN echo secret | passwd --stdin root\n',
        errors: [
          { line: 2, column: 40, message: /^RUN sets a password for an account with chpasswd/ },
          { line: 4, column: 19, message: /^RUN sets a password for root with passwd/ },
        ],
      },
      {
        name: 'empty passwords',
        code: "FROM alpine:3.20\nRUN passwd -d root\nRUN echo 'root:' | chpasswd\nRUN useradd -p '' guest\n",
        errors: [
          { line: 2, column: 12, message: /^RUN gives root an empty password \(passwd -d\)/ },
          { line: 3, column: 20, message: /^RUN gives root an empty password \(chpasswd\)/ },
          { line: 4, column: 13, message: /^RUN gives guest an empty password \(useradd -p\)/ },
        ],
      },
    ],
  },
};
