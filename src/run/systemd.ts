import { existsSync } from 'node:fs';
import { stackUnitBase } from '../render/layout.js';
import { commandFailed, runCommand } from './command.js';

/** A stack's systemd handle, when berth's rendered units are installed for this user. */
export interface StackUnit {
  unit: string;
  mode: 'quadlet' | 'compose';
}

/**
 * The unit that stands for the stack, if its files are installed in the user's unit folders:
 * `berth-<stack>.target`, which pulls in its Quadlet units (Quadlet mode), or
 * `berth-<stack>.service` (compose mode). Only files are looked at here; whether systemd answers
 * is a separate question (`userManagerAnswers`).
 */
export function installedUnit(stack: string, home: string): StackUnit | undefined {
  const base = stackUnitBase(stack);
  const userDir = `${home}/.config/systemd/user`;
  const quadletDir = `${home}/.config/containers/systemd`;
  // The stack's own target only: `<stack>-*.container` would also be the files of a stack named `<stack>-x`.
  if (existsSync(`${userDir}/${base}.target`) || existsSync(`${quadletDir}/${base}.target`)) return { unit: `${base}.target`, mode: 'quadlet' };
  if (existsSync(`${userDir}/${base}.service`)) return { unit: `${base}.service`, mode: 'compose' };
  return undefined;
}

/** Whether this user's systemd instance answers (`systemctl --user`); it does not without a user session or linger. */
export async function userManagerAnswers(): Promise<boolean> {
  try {
    return (await runCommand('systemctl', ['--user', 'show-environment'])).code === 0;
  } catch {
    return false;
  }
}

/** Whether the unit is known to the user manager (the Quadlet generator ran, the files were reloaded). */
export async function unitLoaded(unit: string): Promise<boolean> {
  const r = await runCommand('systemctl', ['--user', 'show', '--property=LoadState', '--value', unit]);
  return r.code === 0 && r.stdout.trim() === 'loaded';
}

export async function unitActiveState(unit: string): Promise<string> {
  const r = await runCommand('systemctl', ['--user', 'show', '--property=ActiveState', '--value', unit]);
  return r.code === 0 ? r.stdout.trim() : 'unknown';
}

/** `systemctl --user start|stop|restart UNIT`, failing with the unit's journal as the hint. */
export async function systemctlUser(verb: 'start' | 'stop' | 'restart', unit: string): Promise<void> {
  const args = ['--user', verb, unit];
  const r = await runCommand('systemctl', args);
  if (r.code !== 0) throw commandFailed('systemctl', args, `could not ${verb} ${unit} (see journalctl --user -u ${unit})`, r);
}
