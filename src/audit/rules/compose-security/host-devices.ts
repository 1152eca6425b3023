import { scalarText, type LNode } from '../../../source/tree.js';
import type { ComposeRule } from '../../rule.js';

/** What a host device gives a container, most common homelab devices first. */
function describe(device: string): string {
  if (/^[a-z0-9.-]+\/[a-z0-9._-]+=/.test(device)) return 'a CDI device: normal for GPU workloads';
  const d = device.replace(/^\/dev\//, '');
  if (/^dri(\/|$)/.test(d)) return 'the GPU: normal for hardware transcoding (Jellyfin, Plex, Immich, Frigate)';
  if (/^net\/tun$/.test(d)) return 'the TUN device: normal for VPN and tunnel containers';
  if (/^(tty(USB|ACM|AMA|S)\d*|serial\/)/.test(d)) return 'a serial port: normal for Zigbee/Z-Wave sticks (use the stable /dev/serial/by-id/ path)';
  if (/^(bus\/usb|usb)/.test(d)) return 'raw USB access to a bus or device';
  if (/^(nvidia|kfd|apex_|accel)/.test(d)) return 'an accelerator: normal for GPU or TPU workloads';
  if (/^fuse$/.test(d)) return 'FUSE: the container can mount filesystems';
  if (/^(snd|video\d|media\d|vchiq|vcsm|vc-mem|hidraw|input)/.test(d)) return 'a media or input device';
  if (d === 'kmsg') return 'the kernel log: normal for container monitoring (cAdvisor)';
  if (/^(mem|kmem|port)$/.test(d)) return "raw host memory or I/O ports: a host takeover";
  if (/^(sd[a-z]|nvme|hd[a-z]|vd[a-z]|xvd[a-z]|mmcblk|md\d|dm-|mapper\/|disk\/|loop|sr\d)/.test(d)) return 'a block device: reading or writing it bypasses every file permission on that disk';
  if (/^(kvm|vhost-)/.test(d)) return 'hardware virtualisation';
  if (/^(mei|watchdog|cpu\/|i2c-|gpiomem|gpiochip)/.test(d)) return 'low-level hardware';
  return 'a host device';
}

/** Host devices passed into a container: each is a way around the container's isolation, often a needed one. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'host-devices',
    title: 'No host devices passed into containers',
    category: 'security',
    severity: 'low',
    fixable: false,
    profiles: ['strict'],
  },
  service(ctx) {
    const devices = ctx.service.node.entries.find((e) => e.key === 'devices')?.value;
    if (devices?.kind !== 'seq') return;
    for (const item of devices.items) {
      const device = source(item);
      if (device === undefined) {
        ctx.skip();
        continue;
      }
      ctx.report({ span: item.span, message: `service "${ctx.service.name}" gets host device ${device}, ${describe(device)}; pass only the devices it uses` });
    }
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n' },
      { name: 'cannot tell', code: 'services:\n  z2m:\n    image: koenkk/zigbee2mqtt:1.38\n    devices:\n      - ${ZIGBEE_ADAPTER}:/dev/ttyACM0\n' },
    ],
    invalid: [
      {
        code: 'services:\n  jellyfin:\n    image: jellyfin/jellyfin:10.9\n    devices:\n      - /dev/dri:/dev/dri # VAAPI\n      - "/dev/sda:/dev/sda:r"\n  z2m:\n    image: koenkk/zigbee2mqtt:1.38\n    devices:\n      - source: /dev/serial/by-id/usb-ITead-if00\n        target: /dev/ttyACM0\n',
        errors: [
          { line: 5, column: 9, message: /service "jellyfin" gets host device \/dev\/dri, the GPU: normal for hardware transcoding/ },
          { line: 6, column: 9, message: /\/dev\/sda, a block device/ },
          { line: 10, column: 9, message: /\/dev\/serial\/by-id\/usb-ITead-if00, a serial port/ },
        ],
      },
      {
        name: 'CDI name, flow list',
        code: 'services:\n  ollama:\n    image: ollama/ollama:0.3\n    devices: [nvidia.com/gpu=all]\n',
        errors: [{ line: 4, column: 15, message: /host device nvidia.com\/gpu=all, a CDI device/ }],
      },
    ],
  },
};

/** The host side of a `devices:` entry; undefined when it depends on an unset variable. */
function source(item: LNode): string | undefined {
  if (item.kind === 'scalar') {
    if (item.unresolved?.length) return undefined;
    const text = scalarText(item);
    return text.startsWith('/') ? text.split(':')[0]! : text;
  }
  if (item.kind === 'map') {
    const s = item.entries.find((e) => e.key === 'source')?.value;
    if (s?.kind !== 'scalar' || s.unresolved?.length) return undefined;
    return scalarText(s);
  }
  return undefined;
}
