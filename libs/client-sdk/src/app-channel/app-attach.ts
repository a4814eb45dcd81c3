import {
  type AppAttachAnswer,
  type AppAttachRequest,
  type AttachCandidate,
  type Destination,
  ErrorCode,
  ReloadError,
} from '@p2psip/overlay';
import type { OverlaySession } from '../overlay-session';

/**
 * Answers AppAttach requests for `application` with where this client accepts it (RFC 6940
 * §6.5.2); other applications get Error_Not_Found, as the RFC asks.
 */
export function answerAppAttach(
  session: OverlaySession,
  application: number,
  address: () => string | undefined,
): void {
  session.handle<AppAttachRequest>('app_attach_req', ({ body }) => {
    if (body.application !== application) {
      throw new ReloadError(ErrorCode.NotFound, `application ${body.application} is not served here`);
    }
    const answer: AppAttachAnswer = {
      type: 'app_attach_ans',
      application,
      // No address (a client nobody can connect to): the caller relays through our peer instead.
      candidates: ((a) => (a ? [{ address: a, priority: 1 }] : []))(address()),
    };
    return answer;
  });
}

/**
 * Sends an AppAttach along `destinations` (a registration's destination list: [attachment peer,
 * client], or a peer's Node-ID) and returns the answerer's candidates, best first.
 */
export async function requestAppAttach(
  session: OverlaySession,
  destinations: readonly Destination[],
  application: number,
  ownAddress: string | undefined,
  options: { signal?: AbortSignal } = {},
): Promise<AttachCandidate[]> {
  const request: AppAttachRequest = {
    type: 'app_attach_req',
    application,
    candidates: ownAddress ? [{ address: ownAddress, priority: 1 }] : [],
  };
  const answer = await session.request(destinations, request, options);
  const body = answer.body as AppAttachAnswer;
  if (body.type !== 'app_attach_ans')
    throw new ReloadError(ErrorCode.InvalidMessage, 'not an AppAttach answer');
  // No candidate means: reach me through the overlay (OverlayChannels).
  return [...body.candidates].sort((a, b) => b.priority - a.priority);
}
