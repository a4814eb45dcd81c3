import { isIP } from 'node:net';
import { relayV1 } from '@p2psip/proto';
import { RpcError } from '@p2psip/rpc';
import {
  RELAY_TRANSPORTS,
  type RankHint,
  type RelayHealthState,
  type RelayStatus,
} from '../inventory/relay-inventory';
import type { TurnCredentials } from '../turn/turn-credentials';

// Generated relay types stop here: domain status ↔ relayV1 messages.

const HEALTH: Record<RelayHealthState, relayV1.RelayHealth> = {
  unknown: relayV1.RelayHealth.RELAY_HEALTH_UNSPECIFIED,
  healthy: relayV1.RelayHealth.RELAY_HEALTH_HEALTHY,
  degraded: relayV1.RelayHealth.RELAY_HEALTH_DEGRADED,
  unhealthy: relayV1.RelayHealth.RELAY_HEALTH_UNHEALTHY,
};

const TRANSPORT = {
  udp: relayV1.RelayTransport.RELAY_TRANSPORT_UDP,
  tcp: relayV1.RelayTransport.RELAY_TRANSPORT_TCP,
  tls: relayV1.RelayTransport.RELAY_TRANSPORT_TLS,
  dtls: relayV1.RelayTransport.RELAY_TRANSPORT_DTLS,
} as const;

export function relayToProto(
  status: RelayStatus,
  extra: { credentials?: TurnCredentials; realm: string },
): relayV1.Relay {
  const { address } = status.endpoint;
  return {
    address,
    transports: RELAY_TRANSPORTS.map((transport) => TRANSPORT[transport]),
    urls: RELAY_TRANSPORTS.map((transport) => `turn:${address}?transport=${transport}`),
    health: HEALTH[status.health],
    load: {
      allocations: status.allocations ?? 0,
      bandwidthBps: BigInt(Math.round(status.bandwidthBps ?? 0)),
    },
    rttMs: status.rttMs ?? 0,
    lastCheckedMs: BigInt(status.lastCheckedMs ?? 0),
    credentials: extra.credentials
      ? {
          username: extra.credentials.username,
          password: extra.credentials.password,
          expiresAtMs: BigInt(extra.credentials.expiresAtMs),
          realm: extra.realm,
        }
      : undefined,
    lastError: status.lastError ?? '',
    consecutiveFailures: status.consecutiveFailures,
  };
}

/** The hint, checked: a malformed one is the caller's mistake, said precisely. */
export function rankHintFromProto(hint: relayV1.RelayHint | undefined): RankHint {
  if (!hint) return {};
  const result: { family?: 4 | 6; transport?: RankHint['transport'] } = {};
  if (hint.clientAddress !== '') {
    const host = hostOf(hint.clientAddress);
    const family = host === undefined ? 0 : isIP(host);
    if (family !== 4 && family !== 6) {
      throw new RpcError(
        'invalid-argument',
        'BAD_HINT',
        `hint.client_address must be an IP address, IP:port or [IPv6]:port, got ${JSON.stringify(hint.clientAddress.slice(0, 80))}`,
      );
    }
    result.family = family;
  }
  const transport = (Object.keys(TRANSPORT) as (keyof typeof TRANSPORT)[]).find(
    (name) => TRANSPORT[name] === hint.preferredTransport,
  );
  if (hint.preferredTransport !== relayV1.RelayTransport.RELAY_TRANSPORT_UNSPECIFIED) {
    if (!transport) {
      throw new RpcError(
        'invalid-argument',
        'BAD_HINT',
        `unknown hint.preferred_transport ${hint.preferredTransport}`,
      );
    }
    result.transport = transport;
  }
  return result;
}

function hostOf(text: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) return bracketed[1];
  if (isIP(text) !== 0) return text; // a bare IPv4 or IPv6 literal
  const withPort = /^([0-9.]+):\d{1,5}$/.exec(text);
  return withPort?.[1];
}
