import { describe, expect, it } from 'vitest';
import { clientKey } from '../../shared/http/client-address.ts';

describe('clientKey: what per-IP limits count a client as', () => {
  it.each([
    ['an IPv4 address', '203.0.113.7', '203.0.113.7'],
    ['an IPv4-mapped IPv6 address (a dual-stack socket)', '::ffff:203.0.113.7', '203.0.113.7'],
    ['an IPv6 address: its /64', '2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    [
      'another address of the same /64 (rotating privacy addresses)',
      '2001:db8:1:2:ffff::1',
      '2001:db8:1:2::/64',
    ],
    ['a compressed IPv6 address', '2001:db8::1', '2001:db8:0:0::/64'],
    ['upper case and leading zeros', '2001:0DB8:0001:0002::', '2001:db8:1:2::/64'],
    ['loopback', '::1', '0:0:0:0::/64'],
    ['a zone index', 'fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s', (_, ip, key) => {
    expect(clientKey(ip)).toBe(key);
  });

  it('another /64 is another client', () => {
    expect(clientKey('2001:db8:1:3::1')).not.toBe(clientKey('2001:db8:1:2::1'));
  });

  it('something that is no address is kept, bounded (API Gateway always gives one)', () => {
    expect(clientKey('x'.repeat(100))).toHaveLength(64);
    expect(clientKey('')).toBe('unknown');
  });
});
