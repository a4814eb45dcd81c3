import { isIP } from 'node:net';

/**
 * RFC 6940 §6.4.1 TurnServer: `iteration:uint8` then IpAddressPort (`type:uint8` 1 = IPv4,
 * 2 = IPv6, `length:uint8`, address bytes, `port:uint16`). The value of a TURN-SERVICE entry.
 */
export function encodeTurnServer(iteration: number, host: string, port: number): Buffer {
  const family = isIP(host);
  if (family === 4) {
    return Buffer.from([iteration, 1, 6, ...host.split('.').map(Number), port >> 8, port & 0xff]);
  }
  if (family === 6)
    return Buffer.concat([
      Buffer.from([iteration, 2, 18]),
      ipv6Bytes(host),
      Buffer.from([port >> 8, port & 0xff]),
    ]);
  throw new Error(`TurnServer needs an IP address, got ${host}`);
}

function ipv6Bytes(host: string): Buffer {
  const [head = '', tail = ''] = host.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = host.includes('::') ? groups(tail) : [];
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = Buffer.alloc(16);
  all.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}
