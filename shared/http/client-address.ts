import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key per-IP limits count a client under. IPv4: the address. IPv6: its /64, because one
 * subscriber (one phone, one home, one cloud instance) is handed a whole /64 and could
 * otherwise use a fresh address for every request (RFC 6177, RFC 7934). An IPv4-mapped IPv6
 * address is its IPv4 address. Anything else (API Gateway always gives an address) is kept as
 * given, bounded.
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1] && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip.slice(0, 64) || 'unknown';
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]?.split('::') ?? [];
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  // An embedded IPv4 tail (…:1.2.3.4) is in the low 64 bits, which are dropped anyway.
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
