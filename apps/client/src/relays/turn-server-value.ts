/**
 * Decodes a TURN-SERVICE value, RFC 6940 §6.4.1 TurnServer: `iteration:uint8`, then IpAddressPort
 * (`type:uint8` 1 = IPv4 / 2 = IPv6, `length:uint8`, address, `port:uint16`). Undefined when the
 * bytes are not one.
 */
export function decodeTurnServer(bytes: Uint8Array): { iteration: number; address: string } | undefined {
  const data = Buffer.from(bytes);
  if (data.length < 3) return undefined;
  const [iteration = 0, type, length] = [data[0], data[1], data[2]];
  if (type === 1 && length === 6 && data.length === 9) {
    return { iteration, address: `${[...data.subarray(3, 7)].join('.')}:${data.readUInt16BE(7)}` };
  }
  if (type === 2 && length === 18 && data.length === 21) {
    const groups = Array.from({ length: 8 }, (_, i) => data.readUInt16BE(3 + i * 2).toString(16));
    return { iteration, address: `[${compressIpv6(groups)}]:${data.readUInt16BE(19)}` };
  }
  return undefined;
}

function compressIpv6(groups: string[]): string {
  const text = groups.join(':');
  const longest = [...text.matchAll(/(?:^|:)0(?::0)+(?::|$)/g)].sort((a, b) => b[0].length - a[0].length)[0];
  return longest ? text.replace(longest[0], '::') : text;
}
