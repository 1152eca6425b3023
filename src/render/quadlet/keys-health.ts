import type { Healthcheck } from '../../model/compose.js';
import { hasSecret } from '../../config/secret-placeholder.js';
import { quadletArg } from '../unit-file.js';
import { healthCommand, type HealthCommand } from './command.js';
import { argProblem, type KeyRule } from './service-render.js';
import { asString } from './values.js';

/** Whether a healthcheck is switched off (disable: true, or test: ["NONE"]). */
function healthDisabled(hc: Healthcheck | undefined): boolean {
  return hc?.disable === true || hc?.test?.[0]?.toUpperCase() === 'NONE';
}

const FIELDS = [
  ['interval', 'HealthInterval'],
  ['timeout', 'HealthTimeout'],
  ['start_period', 'HealthStartPeriod'],
  ['retries', 'HealthRetries'],
] as const;

/**
 * What a service's healthcheck becomes in its unit. Decided once, here, for the service's own
 * HealthCmd= and for the services that wait for it to be healthy (Notify=healthy), so the two
 * cannot disagree: a check that is not rendered cannot be waited for.
 */
export type RenderedHealth =
  | { kind: 'disabled' }
  /** No test given: Podman runs the image's own HEALTHCHECK, if it has one. */
  | { kind: 'image' }
  | { kind: 'test'; command: HealthCommand }
  /** A test was given but cannot be rendered: `key` has a refused note saying why. */
  | { kind: 'refused'; key: string; reason: string };

export function renderedHealth(hc: Healthcheck | undefined): RenderedHealth {
  // renderContainer refuses the whole key when it reads a secret, before any rule runs.
  if (hasSecret(hc)) return { kind: 'refused', key: 'healthcheck', reason: 'it reads a secret variable' };
  if (healthDisabled(hc)) return { kind: 'disabled' };
  if (!hc?.test) return { kind: 'image' };
  const command = healthCommand(hc.test);
  if (!command) return { kind: 'refused', key: 'healthcheck.test', reason: `${JSON.stringify(hc.test)} is not ["CMD", args...], ["CMD-SHELL", command] or ["NONE"]` };
  const problem = argProblem(command.value);
  if (problem !== undefined) return { kind: 'refused', key: 'healthcheck.test', reason: problem };
  return { kind: 'test', command };
}

export const HEALTH_RULE: KeyRule = {
  keys: ['healthcheck'],
  render(s) {
    if (!s.has('healthcheck')) return;
    const hc = s.config.healthcheck ?? {};
    const health = renderedHealth(hc);
    if (health.kind === 'disabled') {
      s.container.push(['HealthCmd', 'none']);
      s.note('healthcheck', 'mapped', "disabled → HealthCmd=none (the image's own check is switched off too)");
      return;
    }
    if (health.kind === 'refused') {
      s.note(health.key, 'refused', health.reason);
      return;
    }
    let command: string | undefined;
    if (health.kind === 'test') {
      const cmd = health.command;
      command = cmd.value;
      s.container.push(['HealthCmd', quadletArg(cmd.value)]);
      s.note('healthcheck.test', cmd.approximation ? 'approximated' : 'mapped', cmd.approximation ? `HealthCmd=${cmd.value}: ${cmd.approximation}` : `HealthCmd=${cmd.value}`);
    } else s.note('healthcheck', 'approximated', "no test: Podman runs the image's own HEALTHCHECK, if it has one, and may not apply the timings given here to it");
    const set: string[] = [];
    for (const [field, quadletKey] of FIELDS) {
      const v = asString(hc[field]);
      if (v !== undefined && s.set(s.container, quadletKey, `healthcheck.${field}`, v)) set.push(`${quadletKey}=${v}`);
    }
    if (set.length) s.note('healthcheck', 'mapped', set.join(' '));
    if (hc.start_interval !== undefined) {
      if (command === undefined) s.note('healthcheck.start_interval', 'ignored', 'no test to run at the start interval');
      else {
        // Podman's startup healthcheck runs until its first success, then the regular one takes over:
        // compose's faster checking during the start period, except that it is not cut off at start_period.
        s.set(s.container, 'HealthStartupCmd', 'healthcheck.start_interval', command);
        s.set(s.container, 'HealthStartupInterval', 'healthcheck.start_interval', hc.start_interval);
        s.note('healthcheck.start_interval', 'approximated', `HealthStartupCmd= (the same test) every ${hc.start_interval} until it first passes, then every interval; compose stops the fast checks at start_period`);
      }
    }
  },
};
