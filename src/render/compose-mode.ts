import { hostEnv } from '../config/variables.js';
import type { Host } from '../model/repo.js';
import { durationMs } from '../run/duration.js';
import { LABEL } from '../run/naming.js';
import { artifact, type Artifact, type FidelityNote } from './artifact.js';
import type { StackRender, StackRenderContext } from './context.js';
import { engineSocket } from './host/engine.js';
import { rel, stackUnitBase, type HostLayout } from './layout.js';
import { renderedBy } from './stack-common.js';
import { envAssignment, execLine, shQuote, specifierSafe, unitFile, type Entry } from './unit-file.js';

const PODMAN_COMPOSE = '/usr/bin/podman-compose';
const DOCKER = '/usr/bin/docker';
const PODMAN = '/usr/bin/podman';
/** How long ExecStartPre waits for the engine's socket before the start fails (and Restart= retries). */
const SOCKET_WAIT_SECONDS = 120;
/** The seed's retry tolerance for transient boot-time failures: 5 attempts within 5 minutes. */
const START_LIMIT = { intervalSec: 300, burst: 5, restartSec: 30 };
/** What `stop` gives each container when compose says nothing (podman's and docker's default). */
const DEFAULT_GRACE_SECONDS = 10;

/**
 * Compose mode (seed 004 parity): one oneshot user unit per stack that runs podman-compose (or
 * `docker compose`) over the stack's deployed folder. The compose file is interpolated at run time,
 * so the unit hands the engine exactly what render saw: the roots and host variables as
 * Environment=, and the decrypted secrets through berth-with-secrets (see withSecretsScript).
 */
export function renderComposeStack(ctx: StackRenderContext): StackRender {
  const { stack, host, layout, common, deployment } = ctx;
  const notes: FidelityNote[] = [];
  const note = (service: string | undefined, key: string, fidelity: FidelityNote['fidelity'], message: string) =>
    notes.push({ stack: stack.name, ...(service !== undefined ? { service } : {}), key, fidelity, message });

  const podman = host.engine === 'podman';
  const socket = engineSocket(host, layout);
  const compose = composeArgv(host, deployment.project.name, common.hostPath(deployment.project.file), [...host.profiles, ...stack.manifest.profiles]);
  const secretFiles = stack.manifest.secrets.map((s) => decryptedSecretFile(layout, stack.name, s.name));
  const scripts = [waitSocketScript(layout), ...(podman ? [composeUpdateScript(layout)] : []), ...(secretFiles.length ? [withSecretsScript(layout)] : [])];
  // The secrets step (ExecStartPre) writes them; every later command gets them in its environment.
  const withSecrets = (argv: string[], ifPresent = false) => (secretFiles.length ? [`${layout.binDir}/${WITH_SECRETS}`, ...(ifPresent ? ['--if-present'] : []), ...secretFiles, '--', ...argv] : argv);

  const service: Entry[] = [
    ['Type', 'oneshot'],
    ['RemainAfterExit', true],
    ...Object.entries(hostEnv(host))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]): Entry => ['Environment', envAssignment(k, v)]),
    ...(!podman ? [['Environment', envAssignment('DOCKER_HOST', `unix://${socket.path}`)] as Entry] : []),
  ];
  if (podman && stack.manifest.secrets.length) {
    // podman-compose echoes every podman command it runs, `-e NAME=value` included, to stdout:
    // the journal must not get the secrets. Errors still reach it on stderr.
    service.push(['StandardOutput', 'null']);
    note(undefined, 'secrets', 'approximated', 'compose mode hands secret values to podman as -e NAME=value (podman-compose has no other way), so they are on its command line while it runs; its echo of those commands is discarded. Quadlet mode reads them from a file in the runtime dir');
  }
  service.push(
    ['ExecStartPre', execLine([`${layout.binDir}/${WAIT_SOCKET}`, socket.path, String(SOCKET_WAIT_SECONDS)])],
    ...common.preStart.map((argv): Entry => ['ExecStartPre', execLine(argv)]),
    // podman-compose 1.0.3 (Debian 12) does not recreate a container whose definition changed
    // (its up leaves the config-hash check unwritten): without --force-recreate a
    // changed stack would restart its old containers. They were stopped by ExecStop, with their
    // grace period, before this runs, so recreating them kills nothing.
    ['ExecStart', execLine(withSecrets([...compose, 'up', '-d', ...(podman ? ['--force-recreate'] : []), '--remove-orphans']))],
    ...(podman
      ? [['ExecReload', execLine(withSecrets([`${layout.binDir}/${COMPOSE_UPDATE}`, deployment.project.name, ...compose]))] as Entry]
      : [['ExecReload', execLine(withSecrets([...compose, 'pull']))] as Entry, ['ExecReload', execLine(withSecrets([...compose, 'up', '-d', '--remove-orphans']))] as Entry]),
    // Stopping must not fail for want of a secret file (a stop after the runtime dir was cleared).
    ['ExecStop', execLine(withSecrets([...compose, host.compose.stop], true))],
    ['TimeoutStartSec', host.compose.startTimeout],
    ['TimeoutStopSec', stopTimeoutSeconds(ctx)],
    ['Restart', 'on-failure'],
    ['RestartSec', START_LIMIT.restartSec],
  );

  const unit: Entry[] = [
    ['Description', specifierSafe(`berth stack ${stack.name} (compose mode)${stack.manifest.description ? `: ${stack.manifest.description}` : ''}`)],
    // A changed input changes the unit, and a changed unit is what restarts the stack.
    ['X-Berth-Inputs', common.inputsHash],
    ['Requires', socket.unit],
    ['After', socket.unit],
    ...common.unitEntries,
    ['StartLimitIntervalSec', START_LIMIT.intervalSec],
    ['StartLimitBurst', START_LIMIT.burst],
  ];

  if (podman) composeFidelity(ctx, note);
  const path = rel(`${layout.userUnitDir}/${stackUnitBase(stack.name)}.service`);
  const content = unitFile(
    [
      { name: 'Unit', entries: unit },
      { name: 'Service', entries: service },
      { name: 'Install', entries: [['WantedBy', 'default.target']] },
    ],
    renderedBy(stack.name),
  );
  return { artifacts: [artifact(path, content), ...scripts], notes };
}

/** The compose command up to its subcommand. */
function composeArgv(host: Host, project: string, file: string, profiles: string[]): string[] {
  if (host.engine === 'docker') return [DOCKER, 'compose', '-p', project, '-f', file, ...[...new Set(profiles)].sort().flatMap((p) => ['--profile', p])];
  return [PODMAN_COMPOSE, '-p', project, '-f', file];
}

/**
 * What podman-compose 1.0.3 does differently from the compose specification, per service: it
 * starts every service at once without waiting on depends_on conditions, and it has no profiles.
 */
function composeFidelity({ deployment, host }: StackRenderContext, note: (service: string | undefined, key: string, f: FidelityNote['fidelity'], m: string) => void): void {
  for (const [name, service] of Object.entries(deployment.project.services).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const [dep, d] of Object.entries(service.config.depends_on).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (d.condition === 'service_started') continue;
      const what = d.condition === 'service_healthy' ? 'healthy' : 'completed successfully';
      note(name, `depends_on.${dep}`, 'approximated', `podman-compose 1.0.3 starts ${name} without waiting for ${dep} to be ${what} (condition: ${d.condition}); Quadlet mode waits for it (--mode quadlet)`);
    }
  }
  for (const name of [...deployment.project.inactiveServices].sort()) {
    note(name, 'profiles', 'approximated', `podman-compose 1.0.3 knows no profiles: it starts ${name} on ${host.name} too, where none of its profiles is active; Quadlet mode leaves it out`);
  }
}

/** `stop` stops the services one after another, each with its grace period: the unit must outwait them all. */
function stopTimeoutSeconds({ deployment }: StackRenderContext): number {
  let total = 30;
  for (const s of Object.values(deployment.project.services)) {
    const ms = durationMs(s.config.stop_grace_period as string | number | undefined);
    total += Math.ceil((ms ?? DEFAULT_GRACE_SECONDS * 1000) / 1000);
  }
  return total;
}

/**
 * Where the secrets step of stack-common writes a decrypted secret, normalised to NAME=value lines
 * (read by berth-with-secrets). test/render-compose.test.ts checks the two agree.
 */
export function decryptedSecretFile(layout: HostLayout, stack: string, secret: string): string {
  return `${layout.runtimeSecretsDir}/${stack}/${secret}.env`;
}

const WAIT_SOCKET = 'berth-wait-socket';
const COMPOSE_UPDATE = 'berth-compose-update';
const WITH_SECRETS = 'berth-with-secrets';

/**
 * Runs a command with the decrypted secrets in its environment, for podman-compose to interpolate.
 * Not systemd's EnvironmentFile=: that is a dotenv parser of its own (quotes, backslash escapes,
 * a trailing backslash joining the next line, blanks trimmed, no `export`), so a value with a
 * quote or a backslash would arrive changed. The file is read line by line, every byte after the
 * first '=' is the value, and nothing is evaluated. A missing file stops the command: compose
 * would otherwise start the stack with empty passwords.
 */
function withSecretsScript(layout: HostLayout): Artifact {
  const text = `#!/bin/sh
# Usage: ${WITH_SECRETS} [--if-present] FILE... -- COMMAND [ARG...]
# Runs COMMAND with the variables of each FILE in its environment. A FILE holds NAME=value lines,
# as the stack's secrets step writes them: the value is everything after the first '=', taken as
# it is (no quotes, no escapes, no comments). A missing FILE is an error, unless --if-present.
# Messages never include a value. Rendered by berth; do not edit.
set -eu
optional=
if [ "\${1:-}" = --if-present ]; then
  optional=yes
  shift
fi
while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
  file=$1
  shift
  if [ ! -e "$file" ]; then
    if [ -n "$optional" ]; then continue; fi
    echo "berth: $file is missing: the stack's secrets step has not written it" >&2
    exit 1
  fi
  n=0
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    case $line in
      '') continue ;;
      *=*) ;;
      *) echo "berth: $file: line $n is not NAME=value" >&2; exit 1 ;;
    esac
    name=\${line%%=*}
    case $name in
      '' | [0-9]* | *[!A-Za-z0-9_]*) echo "berth: $file: line $n: '$name' is not a name compose can use; left out" >&2; continue ;;
    esac
    export "$name=\${line#*=}"
  done < "$file"
done
if [ "\${1:-}" != -- ] || [ "$#" -lt 2 ]; then
  echo "usage: ${WITH_SECRETS} [--if-present] FILE... -- COMMAND [ARG...]" >&2
  exit 2
fi
shift
exec "$@"
`;
  return artifact(rel(`${layout.binDir}/${WITH_SECRETS}`), text, 0o755);
}

/** Early at boot the user's runtime dir and the engine's socket may not be there yet; waiting must end. */
function waitSocketScript(layout: HostLayout): Artifact {
  const text = `#!/bin/sh
# Usage: ${WAIT_SOCKET} SOCKET [SECONDS]
# Waits until the Unix socket SOCKET exists, at most SECONDS (default 60): early at boot the user's
# runtime dir and the engine's API socket may not be there yet. Rendered by berth; do not edit.
set -eu
sock=$1
limit=\${2:-60}
waited=0
while [ ! -S "$sock" ]; do
  if [ "$waited" -ge "$limit" ]; then
    echo "berth: $sock did not appear within \${limit}s: is the engine's socket unit running?" >&2
    exit 1
  fi
  sleep 1
  waited=$((waited + 1))
done
`;
  return artifact(rel(`${layout.binDir}/${WAIT_SOCKET}`), text, 0o755);
}

/**
 * The reload of a podman-compose stack, run by berth-auto-update: pull, then recreate the stack
 * only when a pull replaced an image one of its containers runs. podman-compose's own `up -d`
 * never notices a new image, and recreating every day regardless would restart every database.
 */
function composeUpdateScript(layout: HostLayout): Artifact {
  const podman = shQuote(PODMAN);
  const text = `#!/bin/sh
# Usage: ${COMPOSE_UPDATE} PROJECT COMPOSE-COMMAND...
# Pulls the images of a podman-compose project, and recreates its containers when one of them runs
# an image the pull replaced. Runs as the stack unit's ExecReload=, with its environment.
# Rendered by berth; do not edit.
set -eu
project=$1
shift
"$@" pull
stale=
for id in $(${podman} ps --all --quiet --filter "label=${LABEL.podmanCompose}=$project"); do
  running=$(${podman} container inspect --format '{{.Image}}' "$id")
  name=$(${podman} container inspect --format '{{.ImageName}}' "$id")
  current=$(${podman} image inspect --format '{{.Id}}' "$name" 2>/dev/null || true)
  if [ "$running" != "$current" ]; then
    echo "berth: $project: $name has a new image"
    stale=yes
  fi
done
if [ -n "$stale" ]; then
  "$@" up -d --force-recreate --remove-orphans
else
  echo "berth: $project: images are current"
fi
`;
  return artifact(rel(`${layout.binDir}/${COMPOSE_UPDATE}`), text, 0o755);
}
