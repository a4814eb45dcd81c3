import { idToHex } from '@p2psip/identity';
import type { relayV1 } from '@p2psip/proto';
import { RpcError, type ServiceHandlers } from '@p2psip/rpc';
import type { RelayInventory } from '../inventory/relay-inventory';
import { issueTurnCredentials } from '../turn/turn-credentials';
import { rankHintFromProto, relayToProto } from './mappers';

export interface RelayDiscoveryDeps {
  readonly inventory: RelayInventory;
  readonly secret: string;
  readonly realm: string;
  /** Relays per answer when the request says 0. */
  readonly defaultCount: number;
  /** Credential lifetime when the request says 0, and the most it may ask for, ms. */
  readonly defaultCredentialTtlMs: number;
  readonly maxCredentialTtlMs: number;
  readonly now: () => number;
}

const MAX_COUNT = 32;

export function relayDiscoveryHandlers(
  deps: RelayDiscoveryDeps,
): ServiceHandlers<typeof relayV1.RelayDiscoveryServiceService> {
  return {
    findRelays: (request: relayV1.FindRelaysRequest, context) => {
      if (request.count > MAX_COUNT)
        throw new RpcError(
          'invalid-argument',
          'BAD_COUNT',
          `count must be at most ${MAX_COUNT}, got ${request.count}`,
        );
      const hint = rankHintFromProto(request.hint);
      const ttlMs =
        request.credentialTtlS === 0 ? deps.defaultCredentialTtlMs : request.credentialTtlS * 1000;
      if (ttlMs > deps.maxCredentialTtlMs)
        throw new RpcError(
          'invalid-argument',
          'BAD_TTL',
          `credential_ttl_s must be at most ${deps.maxCredentialTtlMs / 1000}, got ${request.credentialTtlS}`,
        );
      // The caller's certificate names it; the TURN user says who the credentials went to.
      const firstNodeId = context.peer?.nodeIds[0];
      const user = context.peer?.userName ?? (firstNodeId === undefined ? 'anonymous' : idToHex(firstNodeId));
      const count = request.count === 0 ? deps.defaultCount : request.count;
      const relays = deps.inventory
        .rank(hint)
        .slice(0, count)
        .map((status) =>
          relayToProto(status, {
            realm: deps.realm,
            credentials: issueTurnCredentials({
              secret: deps.secret,
              userName: user,
              ttlMs,
              nowMs: deps.now(),
            }),
          }),
        );
      return Promise.resolve({ relays });
    },
    listRelays: () =>
      Promise.resolve({
        relays: deps.inventory.list().map((status) => relayToProto(status, { realm: deps.realm })),
      }),
  };
}
