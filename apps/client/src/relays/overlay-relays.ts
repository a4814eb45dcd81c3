import { idToBytes, idToHex, randomNodeId, resourceIdFromBytes } from '@p2psip/identity';
import { callUnary } from '@p2psip/rpc';
import type { Attachment } from '../storage/attachment';
import type { StorageClient } from '../storage/storage-client';
import { decodeTurnServer } from './turn-server-value';

export const TURN_SERVICE_KIND = 0x2;

export interface OverlayRelay {
  readonly address: string;
  /** Where it was found: the TURN-SERVICE Resource-ID, and who signed it. */
  readonly resourceId: string;
  readonly signer: string | null;
  readonly lifetimeS: number;
  readonly storedAt: string;
}

/**
 * RFC 6940 §9.2 discovery: Find TURN-SERVICE at a random Resource-ID, Fetch the closest one the
 * responder holds, decode the TurnServer; again with other random ids until `count` distinct
 * relays or `attempts` Finds. Fetched values are verified (signature, certificate) by the client.
 */
export async function findRelaysInOverlay(init: {
  attachment: Attachment;
  storage: StorageClient;
  count: number;
  attempts: number;
  timeoutMs: number;
}): Promise<{ relays: OverlayRelay[]; finds: number }> {
  const kind = init.storage.kind(String(TURN_SERVICE_KIND));
  const found = new Map<string, OverlayRelay>();
  const fetched = new Set<string>();
  let finds = 0;
  while (found.size < init.count && finds < init.attempts) {
    finds++;
    const target = randomNodeId();
    const answer = await callUnary(
      init.attachment.client,
      'find',
      { resourceId: idToBytes(target), kinds: [TURN_SERVICE_KIND] },
      { timeoutMs: init.timeoutMs },
    );
    const closest = answer.results.find((result) => result.kind === TURN_SERVICE_KIND)?.closestResourceId;
    if (!closest || closest.length !== 16) continue;
    const resourceId = resourceIdFromBytes(closest);
    if (fetched.has(idToHex(resourceId))) continue;
    fetched.add(idToHex(resourceId));
    const result = await init.storage.fetch(resourceId, kind, {});
    for (const value of result.values) {
      if (!value.exists) continue;
      const turn = decodeTurnServer(Buffer.from(value.valueHex, 'hex'));
      if (!turn || found.has(turn.address)) continue;
      found.set(turn.address, {
        address: turn.address,
        resourceId: result.resourceId,
        signer: value.signer,
        lifetimeS: value.lifetime,
        storedAt: new Date(value.storageTime).toISOString(),
      });
    }
  }
  return { relays: [...found.values()], finds };
}
