import type { ResourceId } from '@p2psip/identity';
import { ReloadError, ErrorCode, resourceDestination } from '@p2psip/overlay';
import type { StoreAnswer, StoreKindData, StoreRequest } from '@p2psip/storage';
import type { OverlaySession } from './overlay-session';

/**
 * A Store the client originates itself through its Connect stream, as RELOAD clients do (RFC 6940
 * §7.4.1): the message is signed by the client, the values by whoever stored them — the SIP edge
 * stores its phone users' registrations, signed with each user's own key, this way, instead of
 * opening a connection per user. The responsible peer checks every value's signature and policy.
 */
export async function storeThroughSession(
  session: OverlaySession,
  resourceId: ResourceId,
  kindData: readonly StoreKindData[],
  options: { signal?: AbortSignal } = {},
): Promise<StoreAnswer> {
  const body: StoreRequest = { type: 'store_req', resourceId, replicaNumber: 0, kindData };
  const answer = await session.request([resourceDestination(resourceId)], body, options);
  if (answer.body.type !== 'store_ans') {
    throw new ReloadError(ErrorCode.InvalidMessage, `a Store answered with ${answer.body.type}`);
  }
  return answer.body as StoreAnswer;
}
