import { artifact, type Artifact } from '../artifact.js';
import type { HostRenderContext } from '../context.js';
import { rel, stackUnitBase } from '../layout.js';
import { execLine, specifierSafe, unitFile, type Entry } from '../unit-file.js';

const HEADER = 'Rendered by berth. Do not edit: change berth.yml and render again.';
const AUTO_UPDATE_UNIT = 'berth-auto-update';
const PRUNE_UNIT = 'berth-prune';

/**
 * The host's maintenance timers, as user units named berth-* so they cannot clash with the
 * distribution's (podman-auto-update.timer) or anyone else's (the seed's podman-prune clashed with
 * nixpkgs'). Auto-update: `podman auto-update` in Quadlet mode (containers labelled
 * io.containers.autoupdate, with rollback); in compose mode each running stack unit is reloaded,
 * which pulls and recreates what got a new image. Prune: see pruneCommands.
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
    out.push(
      service(`${dir}/${PRUNE_UNIT}.service`, `berth: remove stopped containers created over ${repo.config.prune.maxAge} ago and untagged images (never networks, volumes or tagged images)`, pruneCommands(engine, repo.config.prune.maxAge).map((argv): Entry => ['ExecStart', execLine(argv)]), 3600),
      timer(`${dir}/${PRUNE_UNIT}.timer`, `berth: pruning (${repo.config.prune.schedule})`, repo.config.prune.schedule, 3600, PRUNE_UNIT),
    );
  }
  return out;
}

/**
 * What the prune timer removes, and only that. Not `system prune`: it also removes networks no
 * container uses, and a stopped stack's Quadlet network units stay "active" (oneshot,
 * RemainAfterExit) while Podman deletes the network under them, so the stack fails to start with
 * "network not found". Not `image prune --all` either: Quadlet removes a stopped stack's
 * containers, so its images count as unused, and `until=` compares with when an image was built,
 * not when it was last used: a stack stopped for a day would need a pull to start again, and the
 * registry may be out of reach then. So: stopped containers created over maxAge ago (Quadlet and compose
 * create them anew on every start), and untagged images, which nothing can start by name: the
 * layers an update or a rebuild left behind. An image still used by a container is never removed.
 * Tagged images no stack uses any more stay until removed by hand (podman image prune --all).
 */
function pruneCommands(engine: string, maxAge: string): string[][] {
  return [
    [engine, 'container', 'prune', '--force', '--filter', `until=${untilHours(maxAge)}`],
    [engine, 'image', 'prune', '--force'],
  ];
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
