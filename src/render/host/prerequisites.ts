import { isInside } from '../../util/fs.js';
import { hostEnv } from '../../config/variables.js';
import { artifact, type Artifact, type FidelityNote } from '../artifact.js';
import type { HostRenderContext } from '../context.js';
import { rel } from '../layout.js';
import { sharesNamespace } from '../quadlet/keys-network.js';
import { resolveDirPath } from '../stack-common.js';
import { shQuote } from '../unit-file.js';
import { FIREWALL_CHAIN, firewallFile } from './firewall.js';

/** The steps of prerequisites.sh, in the order a full run takes them. */
const PREREQUISITE_STEPS = ['user', 'subids', 'linger', 'roots', 'dirs', 'ports', 'checks'] as const;

const SYSCTL_FILE = '/etc/sysctl.d/50-berth-unprivileged-ports.conf';

/**
 * What root must set up once for the rootless user, as a script to review and run (seed 004's
 * "Level 1"): the user, a subordinate id range that overlaps no other user's, linger (so the
 * user's units start at boot without a login), the roots it writes to, directories owned by a
 * host uid, the lowest port it may bind, and checks of what berth cannot install. Nothing in it
 * deletes, and nothing chowns an existing folder or anything inside a network root or a mount.
 * The one host-wide change, the lowest unprivileged port, is said out loud: in a note, in the
 * sysctl file, and by the script when it makes it.
 */
export function renderPrerequisites(ctx: HostRenderContext): { artifacts: Artifact[]; notes: FidelityNote[] } {
  const { host, layout, repo } = ctx;
  const artifacts: Artifact[] = [];
  const notes: FidelityNote[] = [];
  const env = hostEnv(host);
  const mounts = ctx.deployments.flatMap((d) => {
    const m = repo.stacks[d.stack]?.manifest.mounts;
    return m ? [...m.required, ...m.optional] : [];
  });
  const networkRootPaths = repo.config.networkRoots.map((name) => host.roots[name]).filter((p): p is string => p !== undefined);
  const untouchable = (path: string) => [...networkRootPaths, ...mounts].some((m) => isInside(m, path));

  const roots = Object.entries(host.roots)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, path]) => {
      if (repo.config.networkRoots.includes(name)) return `  network_root ${shQuote(name)} ${shQuote(path)}`;
      if (mounts.some((m) => isInside(m, path))) return `  mounted_root ${shQuote(name)} ${shQuote(path)}`;
      return `  local_root ${shQuote(name)} ${shQuote(path)}`;
    });

  const hostOwned: string[] = [];
  for (const d of ctx.deployments) {
    for (const dir of repo.stacks[d.stack]?.manifest.dirs ?? []) {
      if (!/^\d+:\d+$/.test(dir.owner)) continue;
      const path = resolveDirPath(dir, env);
      if (path === undefined || !path.startsWith('/') || untouchable(path)) continue;
      hostOwned.push(`  host_dir ${shQuote(path)} ${dir.owner} ${dir.mode ? dir.mode.padStart(4, '0') : "''"}`);
    }
  }

  const lowest = privilegedPort(ctx);
  const lowestPort = lowest?.port;
  if (lowest !== undefined) {
    const everyone = `for every user of ${host.name}, not only ${host.user}: any of them may then listen on ports ${lowest.port}-1023`;
    notes.push({
      stack: lowest.stack,
      service: lowest.service,
      key: 'ports',
      fidelity: 'approximated',
      message: `publishes port ${lowest.port}, below 1024: ${SYSCTL_FILE} (applied by prerequisites.sh, step ports) lowers net.ipv4.ip_unprivileged_port_start to ${lowest.port} ${everyone}. To avoid that, publish a port from 1024 up and forward ${lowest.port} to it (router or firewall)`,
    });
    artifacts.push(
      artifact(
        rel(SYSCTL_FILE),
        `# Rendered by berth for host ${host.name}. Stack ${lowest.stack} publishes port ${lowest.port}; a rootless user may bind a
# port below 1024 only from net.ipv4.ip_unprivileged_port_start up (1024 by default). This lowers it
# ${everyone} (IPv4 and IPv6). To avoid that, publish a port from 1024 up and forward ${lowest.port} to it.
# prerequisites.sh (step ports) applies it and says what it changed; systemd-sysctl applies it at boot.
net.ipv4.ip_unprivileged_port_start=${lowest.port}
`,
      ),
    );
  }

  const podman = host.engine === 'podman';
  const need = (program: string, why: string) => `  need ${program} ${shQuote(why)}`;
  const check = (test: string, why: string) => `  ${test} || warn ${shQuote(why)}`;
  const checks = [
    ...(podman
      ? [
          need('podman', 'podman is not installed (apt-get install podman)'),
          need('newuidmap', 'newuidmap is missing: rootless Podman needs it (apt-get install uidmap)'),
          need('newgidmap', 'newgidmap is missing: rootless Podman needs it (apt-get install uidmap)'),
          check('[ -c /dev/net/tun ]', '/dev/net/tun is missing: rootless networking (slirp4netns, pasta) needs it'),
          check('unit_file podman.socket', "the podman.socket user unit is missing: berth's units require it (it comes with Podman's systemd units)"),
        ]
      : [
          need('docker', 'docker is not installed'),
          check(`[ -e ${shQuote(`${layout.runtimeDir}/docker.sock`)} ] || command -v dockerd-rootless.sh >/dev/null`, `rootless Docker is not set up: run dockerd-rootless-setuptool.sh install as ${host.user}`),
        ]),
    ...(host.mode === 'compose' && podman ? [need('podman-compose', 'podman-compose is not installed (apt-get install podman-compose)')] : []),
    ...(host.mode === 'quadlet'
      ? [check('[ -x /usr/libexec/podman/quadlet ] || [ -x /usr/lib/podman/quadlet ]', 'this Podman has no Quadlet generator (berth renders for Podman 5.0 or newer; Debian 12 has 4.3): upgrade Podman, or render with --mode compose')]
      : []),
    '  firewall',
  ];

  const text = `#!/bin/sh
# Prerequisites of host ${host.name} for berth. Run as root, once and again after a change; review it first.
# It creates the rootless user ${host.user} (uid ${layout.uid}) if missing, gives it a subordinate id range that
# overlaps no other user's, lets its services run without a login (linger), creates the roots it
# writes to, and checks what berth cannot set up (the firewall among them). It deletes nothing, never
# chowns a folder that exists already, and never touches anything inside a network root or a
# declared mount.${lowest !== undefined ? `
# One change reaches beyond ${host.user}: step ports lowers net.ipv4.ip_unprivileged_port_start to ${lowest.port}
# for every user of the host (stack ${lowest.stack} publishes port ${lowest.port}), and says so when it does.` : ''}
#
# Usage: prerequisites.sh [STEP...]   steps: ${PREREQUISITE_STEPS.join(' ')} (default: all, in this order)
# Rendered by berth; do not edit: change the repository and render again.
set -eu

user=${shQuote(host.user)}
uid=${layout.uid}
sub_start=${host.subuids.start}
sub_count=${host.subuids.count}
# Another file instead of /etc/subuid or /etc/subgid, to try the subids step on a copy.
subuid_file=\${BERTH_SUBUID_FILE:-/etc/subuid}
subgid_file=\${BERTH_SUBGID_FILE:-/etc/subgid}

say() { printf 'prerequisites: %s\\n' "$*"; }
warn() { printf 'prerequisites: warning: %s\\n' "$*" >&2; }
die() { printf 'prerequisites: %s\\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || warn "$2"; }

step_user() {
  if ! current=$(id -u "$user" 2>/dev/null); then
    useradd --create-home --uid "$uid" --user-group "$user"
    say "created user $user (uid $uid)"
  elif [ "$current" != "$uid" ]; then
    die "user $user has uid $current, but berth renders for uid $uid: set uid: $current for ${host.name} in hosts.yml and render again"
  fi
}

# subids FILE FLAG: gives the user the range sub_start:sub_count in FILE unless it has one already.
# Refuses when the user's range, or the one it would get, overlaps another user's, and a file
# with CR LF line ends: newuidmap would not read those lines, yet they look fine here.
subids() {
  file=$1
  flag=$2
  [ -e "$file" ] || : > "$file"
  if grep -q "$(printf '\\r')" "$file"; then
    die "$file has CR LF (Windows) line ends, which newuidmap does not read: convert it (sed -i 's/\\r$//' $file) and run again"
  fi
  verdict=$(awk -F: -v user="$user" -v uid="$uid" -v start="$sub_start" -v count="$sub_count" -v flag="$flag" '
    /^[[:space:]]*(#|$)/ || NF != 3 { next }
    $2 + $3 > top { top = $2 + $3 }
    $1 == user || $1 == uid { own_s[++n] = $2 + 0; own_e[n] = $2 + $3; next }
    { who[++m] = $1; s[m] = $2 + 0; e[m] = $2 + $3; if (e[m] > free) free = e[m] }
    END {
      if (n == 0) { own_s[1] = start; own_e[1] = start + count; n = 1; adding = 1 }
      for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) if (own_s[i] < e[j] && s[j] < own_e[i]) {
        printf "%s %d-%d overlaps the range of %s (%d-%d)", (adding ? "the range" : user "\\047s range"), own_s[i], own_e[i] - 1, who[j], s[j], e[j] - 1
        if (adding) printf ": set subuids: { start: %d } for this host in hosts.yml", (free > start ? free : start)
        exit 3
      }
      total = 0
      for (i = 1; i <= n; i++) total += own_e[i] - own_s[i]
      if (adding) print "add"
      else if (total < 65536) {
        # Container uid N maps to the Nth id of the range: an image with files or a user above
        # uid total (postgres 999 in a range of 500, nobody 65534) cannot start.
        top = top > start ? top : start
        printf "few:%s has only %d ids (from %d on): containers cannot use a uid or gid above %d. Give it 65536: usermod %s %d-%d %s, then podman system migrate as %s", user, total, own_s[1], total, flag, top, top + 65535, user, user
      } else printf "%s has %d ids from %d on", user, total, own_s[1]
    }' "$file") || die "$file: $verdict"
  case $verdict in
    add)
      # A last line without its newline would swallow ours: alice:1:2homelab:3:4.
      if [ -s "$file" ] && [ -n "$(tail -c 1 "$file")" ]; then printf '\\n' >> "$file"; fi
      printf '%s:%s:%s\\n' "$user" "$sub_start" "$sub_count" >> "$file"
      say "$file: gave $user the ids $sub_start-$((sub_start + sub_count - 1))"
      ;;
    few:*) warn "$file: \${verdict#few:}" ;;
    *) say "$file: $verdict" ;;
  esac
}

step_subids() {
  subids "$subuid_file" --add-subuids
  subids "$subgid_file" --add-subgids
}

step_linger() {
  [ -e "/var/lib/systemd/linger/$user" ] && return 0
  if loginctl enable-linger "$user" 2>/dev/null; then
    say "linger on for $user: its units start at boot"
  else
    mkdir -p /var/lib/systemd/linger
    : > "/var/lib/systemd/linger/$user"
    say "linger on for $user from the next boot (logind did not answer)"
  fi
}

# local_root NAME PATH: created for the user when missing; an existing folder is only checked.
local_root() {
  if [ ! -e "$2" ]; then
    install -d -m 0755 -o "$user" -g "$(id -gn "$user")" "$2"
    say "created $1 ($2), owned by $user"
  elif [ ! -d "$2" ]; then
    die "$1 ($2) is not a directory"
  elif [ "$(stat -c %u "$2")" != "$uid" ]; then
    warn "$1 ($2) belongs to uid $(stat -c %u "$2"), not $user: stacks cannot create their folders in it. If that is intended: chown $user: $2"
  fi
}

# network_root NAME PATH: on network storage, where owners cannot be remapped: checked, never created.
network_root() {
  [ -d "$2" ] || warn "$1 ($2) is a network root and is not there: mount it; berth never creates or chowns it"
}

# mounted_root NAME PATH: at or inside a mount a stack declares: creating it would hide the mount.
mounted_root() {
  [ -d "$2" ] || warn "$1 ($2) is at or inside a declared mount and is not there: is the mount set up?"
}

step_roots() {
${roots.length ? roots.join('\n') : '  :'}
}

# host_dir PATH UID:GID [MODE]: a folder a stack wants owned by a host uid, which only root can give it.
host_dir() {
  mkdir -p "$1"
  chown "$2" "$1"
  if [ -n "$3" ]; then chmod "$3" "$1"; fi
}

step_dirs() {
${hostOwned.length ? hostOwned.join('\n') : '  :'}
}

# ports LOWEST: lets the rootless user bind ports from LOWEST up. The setting is host-wide, so the
# script says what it changes, and never raises a lower value someone else chose.
ports() {
  current=$(sysctl -n net.ipv4.ip_unprivileged_port_start)
  if [ "$current" -gt "$1" ]; then
    if ! sysctl -q -w "net.ipv4.ip_unprivileged_port_start=$1"; then
      warn "could not set net.ipv4.ip_unprivileged_port_start to $1: rootless containers cannot bind port $1"
      return 0
    fi
    say "lowered net.ipv4.ip_unprivileged_port_start from $current to $1 (a stack publishes port $1). This holds for every user of this host, not only $user: any of them may now listen on ports $1-1023"
  elif [ "$current" -eq "$1" ]; then
    say "net.ipv4.ip_unprivileged_port_start is $1 already"
  else
    say "net.ipv4.ip_unprivileged_port_start is $current, below the $1 berth needs: left as it is"
  fi
  [ -e ${shQuote(SYSCTL_FILE)} ] || warn ${shQuote(`${SYSCTL_FILE} is not installed, so the setting is lost at the next boot: copy it from the rendered etc/sysctl.d/`)}
}

step_ports() {
${lowestPort === undefined ? '  :' : `  ports ${lowestPort}`}
}

# firewall: does the loaded nftables ruleset jump to the chain of the stacks' ports?
firewall() {
  if ! command -v nft >/dev/null 2>&1 || ! nft list ruleset 2>/dev/null | grep -q 'hook input'; then
    say ${shQuote(`firewall: no nftables chain filters input here, so the ports the stacks publish are reachable without ${firewallFile(layout)}; include it once one does (its header shows how). With firewalld or iptables, open the same ports there`)}
  elif nft list ruleset | grep -q ${shQuote(`jump ${FIREWALL_CHAIN}`)}; then
    say ${shQuote(`firewall: the loaded ruleset jumps to ${FIREWALL_CHAIN} (${firewallFile(layout)})`)}
  else
    warn ${shQuote(`firewall: nftables filters input here, but no rule jumps to ${FIREWALL_CHAIN}, so the ports the stacks declare may be closed: include ${firewallFile(layout)} inside your table in /etc/nftables.conf, add jump ${FIREWALL_CHAIN} to its input chain (the file's header shows how), then systemctl reload nftables`)}
  fi
}

unit_file() {
  for dir in /etc/systemd/user /usr/lib/systemd/user /lib/systemd/user; do
    if [ -e "$dir/$1" ]; then return 0; fi
  done
  return 1
}

step_checks() {
${checks.join('\n')}
}

[ "$(id -u)" = 0 ] || die "run as root (sudo sh $0): it creates users and writes /etc"
for step in \${*:-${PREREQUISITE_STEPS.join(' ')}}; do
  case $step in
    ${PREREQUISITE_STEPS.join('|')}) "step_$step" ;;
    *) die "no step $step; steps: ${PREREQUISITE_STEPS.join(' ')}" ;;
  esac
done
`;
  artifacts.push(artifact(rel(`${layout.etcDir}/prerequisites.sh`), text, 0o755));
  return { artifacts, notes };
}

/** The lowest host port below 1024 a stack on this host publishes, if any, and who publishes it. */
function privilegedPort(ctx: HostRenderContext): { port: number; stack: string; service: string } | undefined {
  let lowest: { port: number; stack: string; service: string } | undefined;
  for (const d of [...ctx.deployments].sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0))) {
    for (const [name, s] of Object.entries(d.project.services).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      // A service in another's network namespace publishes nothing (its ports are refused).
      if (sharesNamespace(s.config.network_mode)) continue;
      for (const p of s.config.ports) {
        if (p.published !== undefined && p.published < 1024 && (lowest === undefined || p.published < lowest.port)) lowest = { port: p.published, stack: d.stack, service: name };
      }
    }
  }
  return lowest;
}
