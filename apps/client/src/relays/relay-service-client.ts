import type { StoredIdentity } from '@p2psip/enrollment-client';
import { relayV1 } from '@p2psip/proto';
import { callUnary, clientCredentials, createClient } from '@p2psip/rpc';

export interface RelayReport {
  readonly address: string;
  readonly urls: readonly string[];
  readonly health: string;
  readonly allocations: number;
  /** Relayed traffic, bits per second, where the relay's coturn reports it. */
  readonly bandwidthBps: number;
  readonly rttMs: number;
  readonly credentials?: { username: string; password: string; realm: string; expiresAt: string };
}

const HEALTH: Record<number, string> = {
  [relayV1.RelayHealth.RELAY_HEALTH_HEALTHY]: 'healthy',
  [relayV1.RelayHealth.RELAY_HEALTH_DEGRADED]: 'degraded',
  [relayV1.RelayHealth.RELAY_HEALTH_UNHEALTHY]: 'unhealthy',
};

const TRANSPORTS: Record<string, relayV1.RelayTransport> = {
  udp: relayV1.RelayTransport.RELAY_TRANSPORT_UDP,
  tcp: relayV1.RelayTransport.RELAY_TRANSPORT_TCP,
  tls: relayV1.RelayTransport.RELAY_TRANSPORT_TLS,
  dtls: relayV1.RelayTransport.RELAY_TRANSPORT_DTLS,
};

/** FindRelays at a relay service, over mutual TLS with the client's identity. */
export async function findRelays(init: {
  identity: StoredIdentity;
  relay: string;
  count: number;
  clientAddress?: string;
  transport?: string;
  ttlS?: number;
  timeoutMs: number;
}): Promise<RelayReport[]> {
  const client = createClient(
    relayV1.RelayDiscoveryServiceClient,
    init.relay,
    clientCredentials(init.identity),
  );
  try {
    const { relays } = await callUnary(
      client,
      'findRelays',
      {
        count: init.count,
        hint: {
          clientAddress: init.clientAddress ?? '',
          preferredTransport:
            init.transport === undefined
              ? relayV1.RelayTransport.RELAY_TRANSPORT_UNSPECIFIED
              : (TRANSPORTS[init.transport] ?? relayV1.RelayTransport.RELAY_TRANSPORT_UNSPECIFIED),
        },
        credentialTtlS: init.ttlS ?? 0,
      },
      { timeoutMs: init.timeoutMs },
    );
    return relays.map((relay) => ({
      address: relay.address,
      urls: relay.urls,
      health: HEALTH[relay.health] ?? 'unknown',
      allocations: relay.load?.allocations ?? 0,
      bandwidthBps: Number(relay.load?.bandwidthBps ?? 0n),
      rttMs: Math.round(relay.rttMs * 1000) / 1000,
      ...(relay.credentials
        ? {
            credentials: {
              username: relay.credentials.username,
              password: relay.credentials.password,
              realm: relay.credentials.realm,
              expiresAt: new Date(Number(relay.credentials.expiresAtMs)).toISOString(),
            },
          }
        : {}),
    }));
  } finally {
    client.close();
  }
}
