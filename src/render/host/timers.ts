import { artifact, type Artifact } from '../artifact.js';
import type { HostRenderContext } from '../context.js';
import { rel, stackUnitBase } from '../layout.js';
import { execLine, specifierSafe, unitFile, type Entry } from '../unit-file.js';

const HEADER = 'Rendered by berth. Do not edit: change berth.yml and render again.';
export const AUTO_UPDATE_UNIT = 'berth-auto-update';
export const PRUNE_UNIT = 'berth-prune';

/**
 * The host's maintenance timers, as user units named berth-* so they cannot clash with the
 * distribution's (podman-auto-update.timer) or anyone else's (the seed's podman-prune clashed with
 * nixpkgs'). Auto-update: `podman auto-update` in Quadlet mode (containers labelled
 * io.containers.autoupdate, with rollback); in compose mode each running stack unit is reloaded,
 * which pulls and recreates what got a new image. Prune: unused images, stopped containers and
 * networks older than prune.maxAge, never volumes.
 */
export function renderTimers(ctx: HostRenderContext): Artifact[] {
  const { repo, host, layout } = ctx;
  const out: Artifact[] = [];
  const dir = layout.userUnitDir;
  const engine = host.engine === 'docker' ? '/usr/bin/docker' : '/usr/bin/podman';

  if (repo.config.autoUpdate.enabled) {
    const stacks = ctx.deployments.map((d) => `${stackUnitBase(d.stack)}.service`).sort();
    let exec: Entry[];
    let timeout: number;
    if (host.mode === 'quadlet') {
      exec = [['ExecStart', execLine(['/usr/bin/podman', 'auto-update'])]];
      timeout = 3600;
    } else {
      // try-reload-or-restart leaves stacks that are not running alone; the reloads run side by side.
      exec = stacks.length ? [['ExecStart', execLine(['/usr/bin/systemctl', '--user', 'try-reload-or-restart', ...stacks])]] : [];
      timeout = host.compose.startTimeout + 300;
    }
    if (exec.length) {
      out.push(
        service(`${dir}/${AUTO_UPDATE_UNIT}.service`, 'berth: pull newer images and restart what runs them', exec, timeout),
        timer(`${dir}/${AUTO_UPDATE_UNIT}.timer`, `berth: image updates (${repo.config.autoUpdate.schedule})`, repo.config.autoUpdate.schedule, 900, AUTO_UPDATE_UNIT),
      );
    }
  }

  if (repo.config.prune.enabled) {
    const until = untilHours(repo.config.prune.maxAge);
    out.push(
      service(`${dir}/${PRUNE_UNIT}.service`, `berth: remove unused images, stopped containers and networks older than ${repo.config.prune.maxAge} (never volumes)`, [['ExecStart', execLine([engine, 'system', 'prune', '--all', '--force', '--filter', `until=${until}`])]], 3600),
      timer(`${dir}/${PRUNE_UNIT}.timer`, `berth: pruning (${repo.config.prune.schedule})`, repo.config.prune.schedule, 3600, PRUNE_UNIT),
    );
  }
  return out;
}

function service(path: string, description: string, exec: Entry[], timeout: number): Artifact {
  return artifact(
    rel(path),
    unitFile(
      [
        { name: 'Unit', entries: [['Description', specifierSafe(description)]] },
        { name: 'Service', entries: [['Type', 'oneshot'], ...exec, ['TimeoutStartSec', timeout]] },
      ],
      HEADER,
    ),
  );
}

/** Persistent: a run missed while the machine was off happens at the next boot; spread over a window so hosts do not pull at once. */
function timer(path: string, description: string, schedule: string, spreadSec: number, unit: string): Artifact {
  return artifact(
    rel(path),
    unitFile(
      [
        { name: 'Unit', entries: [['Description', specifierSafe(description)]] },
        { name: 'Timer', entries: [['OnCalendar', specifierSafe(schedule)], ['RandomizedDelaySec', spreadSec], ['Persistent', true], ['Unit', `${unit}.service`]] },
        { name: 'Install', entries: [['WantedBy', 'timers.target']] },
      ],
      HEADER,
    ),
  );
}

/** berth.yml's maxAge (7d, 12h, 30m, 90s) as the engines' until= filter takes it: Go durations have no days. */
export function untilHours(maxAge: string): string {
  const m = /^(\d+)([smhd])$/.exec(maxAge);
  if (!m) throw new Error(`prune.maxAge "${maxAge}" passed the schema but is not N[smhd]`);
  return m[2] === 'd' ? `${Number(m[1]) * 24}h` : maxAge;
}
