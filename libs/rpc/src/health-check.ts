import { type ChannelCredentials, type Client, makeGenericClientConstructor } from '@grpc/grpc-js';
import { type NodeId, idToHex } from '@p2psip/identity';
import { service as healthService } from 'grpc-health-check';
import type { AuthenticatedCall } from './peer-identity';

/** A `grpc.health.v1.Health` client; the bootstraps use its Watch (see HealthWatch). */
export type HealthClient = Client & {
  watch(request: { service: string }): HealthWatchCall;
};

/** The server stream of `Health.Watch`: one status now, then one per change. */
export interface HealthWatchCall extends AuthenticatedCall {
  on(event: 'data', listener: (response: { status: string | number }) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'end' | 'close', listener: () => void): this;
  cancel(): void;
}

const HealthClientConstructor = makeGenericClientConstructor(healthService, 'Health') as unknown as new (
  address: string,
  credentials: ChannelCredentials,
  options?: object,
) => HealthClient;

/** A reusable `grpc.health.v1.Health` client for one server (e.g. a peer a bootstrap probes). */
export function createHealthClient(
  address: string,
  credentials: ChannelCredentials,
  options: Record<string, string | number> = {},
): HealthClient {
  return new HealthClientConstructor(address, credentials, {
    'grpc.ssl_target_name_override': 'p2psip.invalid',
    ...options,
  });
}

/** True for the SERVING status (proto-loader's default enum form is the name; 1 as a number). */
export function isServingStatus(status: string | number | undefined): boolean {
  return status === 'SERVING' || status === 1;
}

/**
 * The health service name under which every server of a peer process reports one of its virtual
 * peers: a bootstrap can then watch all the peers of a process over one connection.
 */
export function virtualPeerHealthService(nodeId: NodeId): string {
  return `p2psip.peer/${idToHex(nodeId)}`;
}
