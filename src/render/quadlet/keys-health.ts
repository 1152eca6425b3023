import type { Healthcheck } from '../../model/compose.js';
import { healthCommand } from './command.js';
import type { KeyRule } from './service-render.js';
import { asString } from './values.js';

/** Whether a healthcheck is switched off (disable: true, or test: ["NONE"]). */
export function healthDisabled(hc: Healthcheck | undefined): boolean {
  return hc?.disable === true || hc?.test?.[0]?.toUpperCase() === 'NONE';
}

const FIELDS = [
  ['interval', 'HealthInterval'],
  ['timeout', 'HealthTimeout'],
  ['start_period', 'HealthStartPeriod'],
  ['retries', 'HealthRetries'],
] as const;

export const HEALTH_RULE: KeyRule = {
  keys: ['healthcheck'],
  render(s) {
    if (!s.has('healthcheck')) return;
    const hc = s.config.healthcheck ?? {};
    if (healthDisabled(hc)) {
      s.container.push(['HealthCmd', 'none']);
      s.note('healthcheck', 'mapped', "disabled → HealthCmd=none (the image's own check is switched off too)");
      return;
    }
    let command: string | undefined;
    if (hc.test) {
      const cmd = healthCommand(hc.test);
      if (!cmd) {
        s.note('healthcheck.test', 'refused', `${JSON.stringify(hc.test)} is not ["CMD", args...], ["CMD-SHELL", command] or ["NONE"]`);
        return;
      }
      if (!s.set(s.container, 'HealthCmd', 'healthcheck.test', cmd.value)) return;
      command = cmd.value;
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
