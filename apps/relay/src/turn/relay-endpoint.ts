import { isIP } from 'node:net';
import { RelayConfigError } from '../errors';

/** A TURN server the relay service checks and hands out. */
export interface RelayEndpoint {
  /** An IP literal: clients and the overlay's IpAddressPort need one, not a name. */
  readonly host: string;
  readonly port: number;
  /** `host:port` (`[v6]:port`). */
  readonly address: string;
  /** coturn's telnet CLI port on the same host, read for the load (`ps`); none = load unknown. */
  readonly cliPort?: number;
}

/**
 * Reads `--turn host:port[?cli=port]`. Host names are refused: the address goes into TURN URIs
 * and into TURN-SERVICE values (IpAddressPort), which carry IP addresses only.
 */
export function parseRelayEndpoint(text: string): RelayEndpoint {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d{1,5})(?:\?cli=(\d{1,5}))?$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  const cliPort = match?.[4] === undefined ? undefined : Number(match[4]);
  if (
    !match ||
    !host ||
    isIP(host) === 0 ||
    !validPort(port) ||
    (cliPort !== undefined && !validPort(cliPort))
  ) {
    throw new RelayConfigError(
      'BAD_RELAY_ADDRESS',
      `--turn wants an IP address and port (127.0.0.1:3478, [::1]:3478, optionally ?cli=<port>), got ${JSON.stringify(text)}`,
    );
  }
  return {
    host,
    port,
    address: isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`,
    ...(cliPort === undefined ? {} : { cliPort }),
  };
}

function validPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}
