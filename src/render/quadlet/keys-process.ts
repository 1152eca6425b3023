import { relative } from 'node:path';
import { hasSecretPlaceholder } from '../../config/secret-placeholder.js';
import { execWord, quadletListWord } from '../unit-file.js';
import { entrypointValue, quadletWordLoss, splitCommand } from './command.js';
import type { KeyRule, ServiceRender } from './service-render.js';
import { asBool, asRecord, asString, asStrings, durationSeconds } from './values.js';

/** What the container runs and as whom: command, entrypoint, environment, user, working dir. */

const command: KeyRule = {
  keys: ['command', 'entrypoint'],
  render(s) {
    const entrypoint = s.has('entrypoint') ? commandWords(s, 'entrypoint', s.config.entrypoint) : undefined;
    const words = s.has('command') ? commandWords(s, 'command', s.config.command) : undefined;
    const lost = words?.map((word, i) => ({ word, i, loss: quadletWordLoss(word) })).find((w) => w.loss !== undefined);
    if (words && lost && entrypoint) {
      foldIntoEntrypoint(s, entrypoint, words);
      return;
    }
    if (entrypoint && entrypoint.length === 0) {
      s.podman('--entrypoint=');
      s.note('entrypoint', 'mapped', 'empty: the image entrypoint is cleared (PodmanArgs=--entrypoint=)');
    } else if (entrypoint && s.set(s.container, 'Entrypoint', 'entrypoint', entrypointValue(entrypoint))) {
      s.note('entrypoint', 'mapped', `Entrypoint=${entrypointValue(entrypoint)}`);
    }
    if (words && words.length === 0) {
      s.note('command', 'approximated', 'an empty command cannot clear the image CMD through podman run; the image default runs');
    } else if (words && lost) {
      s.note(
        'command',
        'refused',
        `word ${lost.i + 1} (${JSON.stringify(lost.word)}): ${lost.loss}. Quadlet passes a command only through Exec=, so it is not rendered and the image's default command runs${s.has('entrypoint') ? '' : '; with entrypoint: given too, berth would pass both as one Entrypoint= array, which can carry it'}`,
      );
    } else if (words) {
      s.container.push(['Exec', words.map(execWord).join(' ')]);
      s.note('command', 'mapped', `Exec= (${words.length} word${words.length === 1 ? '' : 's'})`);
    }
  },
};

/**
 * A command Exec= cannot carry (see quadletWordLoss), appended to the entrypoint in one
 * Entrypoint= JSON array, which Quadlet passes unsplit: compose runs entrypoint + command, and so
 * does podman for an entrypoint with no command (an entrypoint given also drops the image's CMD
 * in both). An empty entrypoint ([] or [""]) clears the image's, so the command runs alone.
 */
function foldIntoEntrypoint(s: ServiceRender, entrypoint: readonly string[], words: readonly string[]): void {
  const argv = [...(entrypoint.length === 1 && entrypoint[0] === '' ? [] : entrypoint), ...words];
  const value = JSON.stringify(argv);
  if (!s.set(s.container, 'Entrypoint', 'entrypoint', value)) {
    s.note('command', 'refused', 'it cannot go through Exec=, nor with the entrypoint through Entrypoint= (see the note on entrypoint)');
    return;
  }
  s.note('entrypoint', 'mapped', `Entrypoint=${value}, with the command appended`);
  s.note('command', 'mapped', `appended to Entrypoint= (${words.length} word${words.length === 1 ? '' : 's'}): Exec= cannot carry an empty word, a lone ";" or U+0080, Entrypoint= can`);
}

function commandWords(s: ServiceRender, key: string, value: unknown): string[] | undefined {
  if (Array.isArray(value)) return asStrings(value);
  const text = asString(value);
  if (text === undefined) {
    s.note(key, 'refused', `${key} must be a string or a list of strings`);
    return undefined;
  }
  const split = splitCommand(text);
  if (split.error) {
    s.note(key, 'refused', `${JSON.stringify(text)} does not split into words: ${split.error}`);
    return undefined;
  }
  if (split.operator) {
    s.note(key, 'approximated', `"${split.operator}" outside quotes: compose runs no shell for a string ${key}, so it is passed as a word; write ["sh", "-c", "..."] if a shell is meant`);
  }
  return split.words;
}

const environment: KeyRule = {
  keys: ['environment', 'env_file'],
  render(s) {
    // env_file first: podman reads --env-file in order, later files win, and --env wins over all,
    // which is compose's precedence (environment over env_file).
    for (const file of s.config.env_file) envFile(s, file.path, file.required, file.format);
    const secret = s.ctx.common.secretEnv[s.name];
    const secretKeys = new Set(secret?.keys ?? []);
    const plain: string[] = [];
    for (const [key, value] of Object.entries(s.config.environment)) {
      if (secretKeys.has(key)) continue;
      if (value === null) {
        s.note('environment', 'approximated', `${key} has no value: compose copies it from the environment it runs in (or .env); a unit has no such environment, so it is left unset`);
        continue;
      }
      if (hasSecretPlaceholder(value)) {
        s.note('environment', 'refused', `${key} reads a secret that no secret env file provides; it is not rendered`);
        continue;
      }
      s.container.push(['Environment', execWord(`${key}=${value}`)]);
      plain.push(key);
    }
    if (secret) {
      s.container.push(['EnvironmentFile', execWord(secret.file)]);
      s.note('environment', 'mapped', `${secret.keys.join(', ')} from ${secret.file}, written at start from the decrypted secrets (never in a unit file)`);
    }
    if (plain.length) s.note('environment', 'mapped', `Environment= for ${plain.join(', ')}`);
  },
};

function envFile(s: ServiceRender, path: string, required: boolean, format: string | undefined): void {
  const hostPath = s.ctx.common.hostPath(path);
  const bytes = s.ctx.files.get(path);
  const shown = relative(s.ctx.stack.dir, path);
  if (!required && bytes === undefined && hostPath !== path) {
    s.note('env_file', 'ignored', `${shown} is optional (required: false) and does not exist in the stack folder`);
    return;
  }
  s.container.push(['EnvironmentFile', execWord(hostPath)]);
  if (format === 'raw') {
    s.note('env_file', 'approximated', `${shown}: format raw → EnvironmentFile=${hostPath}; Podman reads KEY=VALUE lines, which is close to raw but not the same for quotes`);
    return;
  }
  if (!required) {
    s.note('env_file', 'approximated', `${shown} is optional (required: false), but Quadlet has no optional env file: the container fails to start if ${hostPath} is missing`);
    return;
  }
  const literalTrap = bytes ? podmanReadsDifferently(Buffer.from(bytes).toString('utf8')) : undefined;
  if (literalTrap) s.note('env_file', 'approximated', `${shown} → EnvironmentFile=${hostPath}, but ${literalTrap}: Podman reads env files literally, compose does not`);
  else if (hostPath === path && path.startsWith(`${s.ctx.repo.dir}/`)) s.note('env_file', 'approximated', `${shown} is outside the stack folder, which is all berth ships: it must exist at ${path} on the host`);
  else s.note('env_file', 'mapped', `EnvironmentFile=${hostPath}`);
}

/** Why podman's literal env-file reading would give other values than compose's dotenv reading. */
function podmanReadsDifferently(text: string): string | undefined {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (/^export\s/.test(line)) return 'it uses "export"';
    const value = line.slice(line.indexOf('=') + 1);
    if (!line.includes('=')) continue;
    if (/^["']/.test(value.trim())) return 'it quotes values';
    if (value.includes('$')) return 'it uses ${...} or $';
    if (/\s#/.test(value)) return 'it has comments after values';
    if (value !== value.trimStart() || line !== raw) return 'it has blanks around values';
  }
  return undefined;
}

const user: KeyRule = {
  keys: ['user', 'group_add', 'working_dir', 'init', 'tty', 'stdin_open'],
  render(s) {
    const u = asString(s.config.user);
    if (s.has('user') && u !== undefined) {
      const [name, group] = splitOnce(u, ':');
      if (s.set(s.container, 'User', 'user', name) && (group === undefined || s.set(s.container, 'Group', 'user', group))) s.note('user', 'mapped', `User=${name}${group === undefined ? '' : ` Group=${group}`}`);
    }
    if (s.has('group_add')) {
      const groups = asStrings(s.config.group_add);
      for (const g of groups) s.set(s.container, 'GroupAdd', 'group_add', g);
      s.note('group_add', 'mapped', `GroupAdd=${groups.join(' ')}`);
    }
    const wd = asString(s.config.working_dir);
    if (s.has('working_dir') && wd !== undefined && s.set(s.container, 'WorkingDir', 'working_dir', wd)) s.note('working_dir', 'mapped', `WorkingDir=${wd}`);
    if (s.has('init')) {
      const init = asBool(s.config.init) ?? false;
      s.container.push(['RunInit', init]);
      s.note('init', 'mapped', `RunInit=${init ? 'yes' : 'no'}`);
    }
    for (const [key, flag] of [['tty', '--tty'], ['stdin_open', '--interactive']] as const) {
      if (!s.has(key)) continue;
      if (asBool(s.config[key])) s.podman(flag);
      s.note(key, 'mapped', asBool(s.config[key]) ? `PodmanArgs=${flag}` : 'false: nothing to add');
    }
  },
};

/** `restart` is rendered by restartPolicy, once the unit's type is known. */
const lifecycle: KeyRule = {
  keys: ['restart', 'stop_signal', 'stop_grace_period'],
  render(s) {
    if (s.has('stop_signal')) {
      const sig = asString(s.config.stop_signal) ?? '';
      if (s.set(s.container, 'StopSignal', 'stop_signal', sig)) s.note('stop_signal', 'mapped', `StopSignal=${sig}`);
    }
    if (s.has('stop_grace_period')) {
      const text = asString(s.config.stop_grace_period) ?? '';
      const seconds = durationSeconds(text);
      if (seconds === undefined) s.note('stop_grace_period', 'refused', `${JSON.stringify(text)} is not a duration such as 30s or 1m30s`);
      else {
        const whole = Math.ceil(seconds);
        s.container.push(['StopTimeout', whole]);
        // systemd must wait longer than podman, or it kills `podman rm` before the container stops.
        s.service.push(['TimeoutStopSec', whole + 30]);
        s.note('stop_grace_period', 'mapped', `StopTimeout=${whole}, and TimeoutStopSec=${whole + 30} so systemd outwaits podman`);
      }
    }
  },
};

/**
 * The restart policy, from `restart:` or else `deploy.restart_policy` (the deploy rule notes that
 * key). Compose's policies become systemd's Restart=; a oneshot unit (a dependency others wait
 * to complete) can only be restarted on failure.
 */
export function restartPolicy(s: ServiceRender, oneshot: boolean): void {
  const deploy = asRecord(asRecord(s.config.deploy)?.restart_policy);
  let policy = s.has('restart') ? asString(s.config.restart) : undefined;
  let key = 'restart';
  if (policy === undefined && deploy) {
    key = 'deploy.restart_policy';
    const condition = asString(deploy.condition) ?? 'any';
    const attempts = asString(deploy.max_attempts);
    policy = condition === 'none' ? 'no' : condition === 'on-failure' ? `on-failure${attempts ? `:${attempts}` : ''}` : 'always';
    const delay = asString(deploy.delay);
    const seconds = delay === undefined ? undefined : durationSeconds(delay);
    if (seconds !== undefined) s.service.push(['RestartSec', Math.max(1, Math.round(seconds))]);
    if (deploy.window !== undefined) s.note('deploy.restart_policy', 'ignored', 'window: systemd has no evaluation window for a restart');
  }
  if (policy === undefined) return;
  const m = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(policy.trim());
  if (!m) {
    s.note(key, 'refused', `${JSON.stringify(policy)} is not no, always, unless-stopped or on-failure[:N]`);
    return;
  }
  const [, kind, max] = m;
  if (oneshot && (kind === 'always' || kind === 'unless-stopped')) {
    s.service.push(['Restart', 'on-failure']);
    s.note(key, 'approximated', `${policy} → Restart=on-failure: another service waits for this one to complete, so it must be allowed to finish`);
    return;
  }
  if (kind === 'no') {
    s.service.push(['Restart', 'no']);
    s.note(key, 'mapped', 'Restart=no');
  } else if (kind === 'always') {
    s.service.push(['Restart', 'always']);
    s.note(key, 'mapped', 'Restart=always');
  } else if (kind === 'unless-stopped') {
    s.service.push(['Restart', 'always']);
    s.note(key, 'approximated', 'unless-stopped → Restart=always: systemctl stop keeps it stopped, but it starts again at boot (Docker would remember the stop)');
  } else {
    s.service.push(['Restart', 'on-failure']);
    if (max === undefined) s.note(key, 'mapped', 'Restart=on-failure');
    else {
      // N restarts after the first start; the window never ends, as Docker's counter does not.
      s.unit.push(['StartLimitIntervalSec', 'infinity'], ['StartLimitBurst', Number(max) + 1]);
      s.note(key, 'approximated', `on-failure:${max} → Restart=on-failure with StartLimitBurst=${Number(max) + 1}: systemd counts starts until the unit is reset, Docker counts restarts since the last success`);
    }
  }
}

function splitOnce(text: string, sep: string): [string, string | undefined] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}

/** The argument of `--pull` for each compose pull_policy. */
const PULL: Record<string, string> = { always: 'always', never: 'never', missing: 'missing', if_not_present: 'missing', newer: 'newer' };

const image: KeyRule = {
  keys: ['pull_policy', 'pull_refresh_after', 'platform'],
  render(s) {
    const policy = asString(s.config.pull_policy);
    if (s.has('pull_policy') && policy !== undefined) {
      const pull = PULL[policy];
      if (pull) {
        s.container.push(['Pull', pull]);
        s.note('pull_policy', 'mapped', `Pull=${pull}`);
      } else if (policy === 'build') s.note('pull_policy', 'mapped', 'build: the image comes from the .build unit');
      else s.note('pull_policy', 'approximated', `${policy}: podman has no scheduled pull; the image is pulled when missing, and berth's auto-update timer pulls newer ones`);
    }
    if (s.has('pull_refresh_after')) s.note('pull_refresh_after', 'approximated', "no per-container refresh: berth's auto-update timer pulls newer images");
    const platform = asString(s.config.platform);
    if (s.has('platform') && platform !== undefined) {
      s.podman(`--platform=${platform}`);
      s.note('platform', 'mapped', `PodmanArgs=--platform=${platform}`);
    }
  },
};

const logging: KeyRule = {
  keys: ['logging'],
  render(s) {
    if (!s.has('logging')) return;
    const l = asRecord(s.config.logging) ?? {};
    const driver = asString(l.driver);
    if (driver !== undefined) {
      const podmanDriver = LOG_DRIVERS[driver];
      if (podmanDriver) {
        s.container.push(['LogDriver', podmanDriver]);
        s.note('logging.driver', podmanDriver === driver ? 'mapped' : 'approximated', podmanDriver === driver ? `LogDriver=${driver}` : `${driver} → LogDriver=${podmanDriver}, Podman's file log format`);
      } else s.note('logging.driver', 'refused', `${driver}: Podman logs to journald, k8s-file, json-file, none or passthrough; the default (journald) is kept`);
    }
    for (const [k, v] of Object.entries(asRecord(l.options) ?? {})) {
      const value = asString(v) ?? '';
      if (!LOG_OPTS.has(k)) {
        s.note(`logging.options.${k}`, 'ignored', `Podman has no log option ${k} (it knows ${[...LOG_OPTS].join(', ')})`);
        continue;
      }
      const word = quadletListWord(`${k}=${value}`);
      if (word !== undefined) s.container.push(['LogOpt', word]);
      else s.podman('--log-opt', `${k}=${value}`);
      s.note(`logging.options.${k}`, 'mapped', `LogOpt=${k}=${value}`);
    }
  },
};

const LOG_DRIVERS: Record<string, string> = { journald: 'journald', 'json-file': 'json-file', local: 'k8s-file', 'k8s-file': 'k8s-file', none: 'none', passthrough: 'passthrough' };
const LOG_OPTS = new Set(['max-size', 'path', 'tag']);

/** Keys that name the container or its presence rather than configure it. */
const identity: KeyRule = {
  keys: ['container_name', 'profiles', 'scale'],
  render(s) {
    if (s.has('container_name')) s.note('container_name', 'mapped', `ContainerName=${s.config.container_name}`);
    if (s.has('profiles')) s.note('profiles', 'mapped', `active on ${s.ctx.host.name}: profile ${s.config.profiles.filter((p) => s.ctx.host.profiles.includes(p)).join(', ') || '(enabled because an active service depends on it)'}`);
    const scale = Number(asString(s.config.scale));
    if (s.has('scale')) {
      if (scale > 1) s.note('scale', 'refused', `scale ${scale}: one Quadlet unit runs one container; declare one service per replica`);
      else s.note('scale', scale === 1 ? 'mapped' : 'approximated', scale === 1 ? 'one container' : `scale ${scale}: the container is still rendered; disable its unit to keep it stopped`);
    }
  },
};

export const PROCESS_RULES: KeyRule[] = [command, environment, user, lifecycle, image, logging, identity];
