import type { ComposeRule } from '../../rule.js';
import { capabilities } from './_shared.js';

/** What each capability lets a compromised container do, most dangerous first. */
const DANGEROUS: Record<string, string> = {
  ALL: 'every capability: nearly privileged, it can mount filesystems, load kernel modules and take the host over',
  SYS_ADMIN: 'mounting filesystems, namespaces, BPF and much more: the usual way out of a container onto the host',
  SYS_MODULE: 'loading kernel modules: code in the host kernel, a host takeover',
  SYS_RAWIO: 'raw I/O ports and memory: host takeover',
  SYS_PTRACE: "tracing processes and reading their memory (the host's processes too with pid: host)",
  DAC_READ_SEARCH: 'reading any file it can reach regardless of permissions, and open_by_handle_at, which has been used to escape to the host filesystem',
  BPF: 'loading eBPF programs into the host kernel',
  PERFMON: 'kernel performance monitoring, which leaks kernel and host process data',
  SYS_TIME: "setting the host's clock (the clock is not namespaced)",
  MAC_ADMIN: 'changing the AppArmor/SELinux policy that confines containers',
  MAC_OVERRIDE: 'bypassing the AppArmor/SELinux policy',
  NET_ADMIN: 'reconfiguring interfaces, routes and firewall rules of its network namespace',
  NET_RAW: 'raw sockets: it can forge packets and spoof other containers on its network (Docker grants it by default, Podman does not)',
};

/** `cap_add` of capabilities that let a compromised container reach the host or its neighbours. */
export const rule: ComposeRule = {
  target: 'compose',
  meta: {
    id: 'dangerous-cap-add',
    title: 'No dangerous capabilities added',
    category: 'security',
    severity: 'high',
    fixable: false,
    profiles: ['recommended', 'rootless-podman', 'strict'],
  },
  service(ctx) {
    const caps = capabilities(ctx.service.node.entries.find((e) => e.key === 'cap_add')?.value);
    const hostNet = ctx.service.config.network_mode === 'host';
    for (const cap of caps) {
      if (cap.node.kind === 'scalar' && cap.node.unresolved?.length) {
        ctx.skip();
        continue;
      }
      const what = DANGEROUS[cap.name];
      if (!what) continue;
      let advice = 'remove it unless the service cannot work without it';
      if (cap.name === 'NET_ADMIN') {
        advice = hostNet
          ? 'with network_mode: host that is the host\'s own firewall and routing; VPN/tunnel containers need it, but give them their own network namespace'
          : 'VPN and tunnel containers (WireGuard, gluetun, Tailscale) and DHCP servers need it: confine it to that one container and route the others through it with network_mode: service:<vpn>';
      } else if (cap.name === 'NET_RAW') {
        advice = 'needed only for ping-style checks or DHCP servers; drop it otherwise';
      } else if (cap.name === 'SYS_ADMIN') {
        advice = 'for FUSE mounts prefer the /dev/fuse device with a narrower policy; otherwise remove it';
      }
      ctx.report({ span: cap.node.span, message: `service "${ctx.service.name}" adds ${cap.name}, ${what}; ${advice}` });
    }
  },
  cases: {
    valid: [
      { code: 'services:\n  web:\n    image: nginx:1.27\n    cap_drop: [ALL]\n    cap_add: [NET_BIND_SERVICE, CHOWN]\n' },
      { code: 'services:\n  web:\n    image: nginx:1.27\n' },
      { name: 'cannot tell', code: 'services:\n  web:\n    image: nginx:1.27\n    cap_add:\n      - ${EXTRA_CAP}\n' },
    ],
    invalid: [
      {
        name: 'VPN container, lower case and CAP_ prefix',
        code: 'services:\n  vpn:\n    image: qmcgaw/gluetun:v3\n    cap_add:\n      - net_admin # for the tunnel\n      - CAP_SYS_MODULE\n    devices: [/dev/net/tun]\n',
        errors: [
          { line: 5, column: 9, message: /adds NET_ADMIN.*VPN and tunnel containers.*network_mode: service:<vpn>/ },
          { line: 6, column: 9, message: /adds SYS_MODULE, loading kernel modules/ },
        ],
      },
      {
        name: 'flow list, host network, through an anchor',
        code: 'x-caps: &caps\n  cap_add: [ALL]\nservices:\n  tools:\n    <<: *caps\n    image: busybox:1.36\n  router:\n    image: wg:1\n    network_mode: host\n    cap_add: ["NET_ADMIN", SYS_PTRACE]\n',
        errors: [
          { line: 2, column: 13, message: /service "tools" adds ALL/ },
          { line: 10, column: 15, message: /NET_ADMIN.*host's own firewall/ },
          { line: 10, column: 28, message: /SYS_PTRACE/ },
        ],
      },
    ],
  },
};
