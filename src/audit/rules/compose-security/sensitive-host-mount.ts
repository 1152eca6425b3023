import { dirname } from 'node:path';
import { spanAt } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';
import { engineSocket, writtenSource } from './_shared.js';

/**
 * Host paths whose contents control the host, and why. `writable`: only a read-write mount is a
 * risk (the contents are public, like /usr or /lib/modules, but changing them runs code as root).
 */
const SENSITIVE: { path: RegExp; why: string; writable?: true; socket?: true }[] = [
  { path: /^\/$/, why: "the host's whole filesystem" },
  { path: /^\/etc\/?$/, why: 'host configuration, including users, sudoers and SSH keys' },
  { path: /^\/etc\/(shadow|gshadow|sudoers|sudoers\.d|ssh|ssl\/private|docker|containers|kubernetes|rancher|k3s|wireguard|security)(\/|$)/, why: 'host credentials or the engine\'s configuration' },
  { path: /^\/etc\/(passwd|group|systemd|cron[^/]*|crontab|pam\.d|profile|profile\.d|environment|ld\.so[^/]*|modprobe\.d|modules-load\.d|sysctl[^/]*|udev|fstab|sudo\.conf)(\/|$)/, why: 'host configuration that decides who logs in and what runs as root', writable: true },
  { path: /^\/boot(\/|$)/, why: 'the kernel and boot loader', writable: true },
  { path: /^\/(usr\/?$|(bin|sbin|lib|lib32|lib64|libx32|usr\/(bin|sbin|lib|lib32|lib64|libexec|local\/bin|local\/sbin|local\/lib))(\/|$))/, why: 'host programs, libraries or kernel modules', writable: true },
  { path: /^\/proc\/?$/, why: "every host process, its environment included, and kernel settings" },
  { path: /^\/sys\/?$/, why: 'kernel and device settings' },
  { path: /^\/(proc|sys)\//, why: 'kernel settings', writable: true },
  { path: /^\/dev\/?$/, why: 'every host device' },
  { path: /^\/var\/lib\/(docker|containers)(\/|$)/, why: "the engine's state: every container's files and configuration, secrets included" },
  { path: /^\/root(\/|$)/, why: "root's home" },
  { path: /^\/(var\/)?run\/?$/, why: "runtime sockets, the container engine's and D-Bus's among them", socket: true },
  { path: /^\/(var\/)?run\/(dbus|systemd|containerd|docker|podman|crio)(\/|$)/, why: 'root-owned control sockets', socket: true },
  { path: /^\/(var\/)?run\/user\/\d+\/?$/, why: "a user's runtime folder, with its Podman socket and D-Bus session", socket: true },
  { path: /^\/home\/?$/, why: "every user's home" },
  { path: /^(\/home\/[^/]+|~[^/]*)\/?$/, why: 'a whole home folder, with its SSH keys and shell start-up files' },
  { path: /\/\.(ssh|gnupg|aws|kube)(\/|$)/, why: 'credentials' },
];

/** Agents that read host state for metrics or logs: they need /proc, /sys, / or the engine's logs read-only. */
const MONITORING = /node-exporter|cadvisor|netdata|glances|promtail|alloy|grafana-agent|telegraf|datadog|beszel|scrutiny|dozzle|fluent-bit|vector|otel|falco|crowdsec|diun|wazuh/;

/** Bind mounts of host system folders: a compromised container edits, or reads, the host's own files. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'sensitive-host-mount',
    title: 'No sensitive host folders mounted',
    category: 'security',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const { config, name } = ctx.service;
    const image = (config.image ?? '').toLowerCase();
    // An entry like `${DATA_ROOT}:/data` with DATA_ROOT unset does not even parse: compose drops it, and the check cannot tell.
    const volumes = ctx.service.node.entries.find((e) => e.key === 'volumes');
    if (volumes && ctx.unsetIn(volumes.value.span).length > 0) ctx.skip();
    config.volumes.forEach((v, i) => {
      if (v.type !== 'bind' || !v.source || engineSocket(v.source)) return; // the socket has its own rule
      const span = spanAt(ctx.service.node, ['volumes', i, 'source']);
      // A path under the compose file's own folder is the project's data, wherever the project lives.
      if (v.source.startsWith(dirname(span.file) + '/')) return;
      // Devices below /dev are governed by the device cgroup: a bind mount alone does not open them.
      if (/^\/dev\/./.test(v.source)) return;
      const hit = SENSITIVE.find((s) => s.path.test(v.source!) && !(s.writable && v.read_only));
      if (!hit) return;
      if (ctx.unsetIn(spanAt(ctx.service.node, ['volumes', i])).length > 0) {
        ctx.skip(); // `${DATA}/etc` with DATA unset reads as /etc
        return;
      }
      const mode = v.read_only ? 'read-only' : 'read-write';
      const can = hit.socket ? 'can connect to those sockets (":ro" does not prevent it)' : v.read_only ? 'can read it' : 'can change it';
      let advice = hit.writable ? 'add :ro' : v.read_only ? 'mount only the files it needs' : 'mount only the files it needs, read-only';
      if (MONITORING.test(image) && v.read_only) advice = 'monitoring agents need this; keep it read-only and on such agents only';
      ctx.report({ span, message: `service "${name}" mounts ${writtenSource(ctx, i, v)} ${mode}: ${hit.why}; a compromised container ${can}; ${advice}` });
    });
  },
  cases: {
    valid: [
      {
        code: 'services:\n  app:\n    image: app:1\n    volumes:\n      - ./data:/data\n      - /etc/localtime:/etc/localtime:ro\n      - /etc/timezone:/etc/timezone\n      - /etc/pihole:/etc/pihole\n      - /lib/modules:/lib/modules:ro\n      - /mnt/media:/media:ro\n      - /dev/dri:/dev/dri\n      - /var/run/docker.sock:/var/run/docker.sock\n',
      },
      { name: 'cannot tell: a root variable is unset', code: 'services:\n  app:\n    image: app:1\n    volumes:\n      - ${DATA_ROOT}/etc:/config\n' },
      { name: 'root set in .env', files: { '.env': 'DATA_ROOT=/srv/data\n' }, code: 'services:\n  app:\n    image: app:1\n    volumes:\n      - ${DATA_ROOT}/etc:/config\n' },
    ],
    invalid: [
      {
        name: 'monitoring agent, short and long syntax',
        code:
          'services:\n  exporter:\n    image: quay.io/prometheus/node-exporter:v1.8.1\n    volumes:\n      - /proc:/host/proc:ro\n      - type: bind\n        source: /\n        target: /rootfs\n        read_only: true\n  app:\n    image: app:1\n    volumes:\n      - /etc:/host-etc # for the host name\n      - ~/.ssh:/root/.ssh:ro\n      - /lib/modules:/lib/modules\n      - /var/run:/var/run:ro\n',
        errors: [
          { line: 5, column: 9, message: /service "exporter" mounts \/proc read-only: every host process.*monitoring agents need this/ },
          { line: 7, column: 17, message: /mounts \/ read-only: the host's whole filesystem; a compromised container can read it/ },
          { line: 13, column: 9, message: /service "app" mounts \/etc read-write: host configuration.*can change it; mount only the files it needs, read-only/ },
          { line: 14, column: 9, message: /mounts ~\/.ssh read-only: credentials/ },
          { line: 15, column: 9, message: /mounts \/lib\/modules read-write: host programs, libraries or kernel modules; .*add :ro/ },
          { line: 16, column: 9, message: /mounts \/var\/run read-only: runtime sockets.*can connect to those sockets/ },
        ],
      },
      {
        name: 'through an anchor',
        code: 'x-vols: &vols\n  volumes:\n    - /var/lib/docker/containers:/var/lib/docker/containers:ro\nservices:\n  shipper:\n    <<: *vols\n    image: example/shipper:1\n',
        errors: [{ line: 3, column: 7, message: /service "shipper" mounts \/var\/lib\/docker\/containers read-only: the engine's state/ }],
      },
    ],
  },
};
