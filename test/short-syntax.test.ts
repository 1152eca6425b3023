import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePortShort, parseVolumeShort, type Parsed } from '../src/compose/short-syntax.js';
import type { PortMapping, VolumeMount } from '../src/model/compose.js';

function ok<T>(r: Parsed<T>): T {
  if (!r.ok) assert.fail(`expected success, got: ${r.message}`);
  return r.value;
}

function fails<T>(r: Parsed<T>): string {
  if (r.ok) assert.fail(`expected an error, got ${JSON.stringify(r.value)}`);
  return r.message;
}

const ports = (text: string): PortMapping[] => ok(parsePortShort(text));

/** Resolves relative host paths against a fixed folder, so results are exact. */
const resolvePath = (p: string): string => (p.startsWith('/') ? p : `/project/${p.replace(/^\.\//, '')}`);
const volume = (text: string): VolumeMount => ok(parseVolumeShort(text, resolvePath));

describe('parsePortShort', () => {
  it('"80" is a container port only, tcp by default', () => {
    assert.deepEqual(ports('80'), [{ target: 80, protocol: 'tcp' }]);
  });

  it('"8080:80" publishes host 8080 to container 80', () => {
    assert.deepEqual(ports('8080:80'), [{ target: 80, published: 8080, protocol: 'tcp' }]);
  });

  it('"127.0.0.1:8080:80" binds one IPv4 address', () => {
    assert.deepEqual(ports('127.0.0.1:8080:80'), [{ target: 80, published: 8080, host_ip: '127.0.0.1', protocol: 'tcp' }]);
  });

  it('"[::1]:8080:80/udp" takes an IPv6 address in brackets and a protocol', () => {
    assert.deepEqual(ports('[::1]:8080:80/udp'), [{ target: 80, published: 8080, host_ip: '::1', protocol: 'udp' }]);
  });

  it('"::1:8080:80" reads an unbracketed IPv6 address from the last two parts', () => {
    assert.deepEqual(ports('::1:8080:80'), [{ target: 80, published: 8080, host_ip: '::1', protocol: 'tcp' }]);
    assert.deepEqual(ports('fe80::1:8080:80'), [{ target: 80, published: 8080, host_ip: 'fe80::1', protocol: 'tcp' }]);
  });

  it('":8080:80" with an empty address binds all addresses', () => {
    assert.deepEqual(ports(':8080:80'), [{ target: 80, published: 8080, protocol: 'tcp' }]);
  });

  it('"127.0.0.1::80" binds an address with a random host port', () => {
    assert.deepEqual(ports('127.0.0.1::80'), [{ target: 80, host_ip: '127.0.0.1', protocol: 'tcp' }]);
  });

  it('accepts sctp and an upper-case protocol, and surrounding spaces', () => {
    assert.deepEqual(ports('9000/sctp'), [{ target: 9000, protocol: 'sctp' }]);
    assert.deepEqual(ports(' 53:53/UDP '), [{ target: 53, published: 53, protocol: 'udp' }]);
  });

  it('expands "8000-8002:9000-9002" to three mappings, in order', () => {
    assert.deepEqual(ports('8000-8002:9000-9002'), [
      { target: 9000, published: 8000, protocol: 'tcp' },
      { target: 9001, published: 8001, protocol: 'tcp' },
      { target: 9002, published: 8002, protocol: 'tcp' },
    ]);
  });

  it('expands a container-only range', () => {
    assert.deepEqual(ports('7000-7001/udp'), [
      { target: 7000, protocol: 'udp' },
      { target: 7001, protocol: 'udp' },
    ]);
  });

  it('refuses ranges of different lengths', () => {
    assert.match(fails(parsePortShort('8000-8003:9000-9002')), /host range 8000-8003 and container range 9000-9002 have different lengths/);
    assert.match(fails(parsePortShort('8080:80-82')), /different lengths/);
  });

  it('refuses an unknown protocol', () => {
    assert.equal(fails(parsePortShort('80/http')), 'unknown protocol "http" (use tcp, udp or sctp)');
  });

  it('refuses a port above 65535', () => {
    assert.match(fails(parsePortShort('70000')), /"70000" is not a container port/);
    assert.match(fails(parsePortShort('70000:80')), /"70000" is not a host port/);
    assert.match(fails(parsePortShort('8000-70000:80')), /"8000-70000" is not a host port/);
  });

  it('refuses a reversed range and text that is not a number', () => {
    assert.match(fails(parsePortShort('9002-9000')), /is not a container port/);
    assert.match(fails(parsePortShort('http')), /"http" is not a container port/);
    assert.match(fails(parsePortShort('')), /is not a container port/);
  });

  it('refuses a bracketed address without ":PORT" after it', () => {
    assert.match(fails(parsePortShort('[::1]8080:80')), /must be followed by ":PORT"/);
  });

  it('refuses extra ":" after a bracketed address', () => {
    assert.equal(fails(parsePortShort('[::1]:1:8080:80')), 'too many ":" separators');
  });
});

describe('parseVolumeShort', () => {
  it('"data:/data" is a named volume; the name is not a path', () => {
    assert.deepEqual(volume('data:/data'), { type: 'volume', source: 'data', target: '/data' });
  });

  it('"./data:/data:ro" is a read-only bind, resolved by the callback', () => {
    const seen: string[] = [];
    const r = ok(parseVolumeShort('./data:/data:ro', (p) => (seen.push(p), `/abs/${p}`)));
    assert.deepEqual(r, { type: 'bind', source: '/abs/./data', target: '/data', read_only: true });
    assert.deepEqual(seen, ['./data']);
  });

  it('absolute, home-relative and slash-containing sources are binds', () => {
    assert.deepEqual(volume('/srv/x:/x:rw'), { type: 'bind', source: '/srv/x', target: '/x', read_only: false });
    assert.equal(volume('~/x:/x').type, 'bind');
    assert.deepEqual(volume('sub/dir:/x'), { type: 'bind', source: '/project/sub/dir', target: '/x' });
  });

  it('does not call the resolver for a named volume', () => {
    let called = false;
    ok(parseVolumeShort('data:/data', (p) => ((called = true), p)));
    assert.equal(called, false);
  });

  it('":U,z" gives Podman option U and SELinux label z', () => {
    assert.deepEqual(volume('./data:/data:U,z'), {
      type: 'bind',
      source: '/project/data',
      target: '/data',
      bind: { selinux: 'z' },
      options: ['U'],
    });
  });

  it('":Z,ro,rshared" combines a private label, read-only and propagation', () => {
    assert.deepEqual(volume('/a:/b:Z,ro,rshared'), {
      type: 'bind',
      source: '/a',
      target: '/b',
      read_only: true,
      bind: { selinux: 'Z', propagation: 'rshared' },
    });
  });

  it('"nocopy" is a volume option', () => {
    assert.deepEqual(volume('data:/data:nocopy'), { type: 'volume', source: 'data', target: '/data', volume: { nocopy: true } });
  });

  it('a consistency flag is kept', () => {
    assert.deepEqual(volume('./a:/a:cached'), { type: 'bind', source: '/project/a', target: '/a', consistency: 'cached' });
  });

  it('"/data" alone is an anonymous volume', () => {
    assert.deepEqual(volume('/data'), { type: 'volume', target: '/data' });
  });

  it('refuses a relative container path', () => {
    assert.equal(fails(parseVolumeShort('data:data', resolvePath)), 'the container path "data" must be absolute');
    assert.equal(fails(parseVolumeShort('data', resolvePath)), 'the container path "data" must be absolute');
  });

  it('refuses an empty source or target and too many parts', () => {
    assert.match(fails(parseVolumeShort(':/data', resolvePath)), /empty source or target/);
    assert.match(fails(parseVolumeShort('data:', resolvePath)), /empty source or target/);
    assert.match(fails(parseVolumeShort('a:/b:ro:extra', resolvePath)), /too many ":" separators/);
  });
});
