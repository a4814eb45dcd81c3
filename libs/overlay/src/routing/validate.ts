import type { NodeId } from '@p2psip/identity';
import type { Destination } from '../messages/destination';
import { ErrorCode, type ErrorCodeValue } from '../messages/error-code';
import type { OverlayMessage } from '../messages/message';
import type { OverlaySettings } from '../settings';

export interface Problem {
  readonly code: ErrorCodeValue;
  readonly info: string;
}

/**
 * Checks a message that arrived over a link before any routing decision (RFC 6940 §6.3.2 and
 * §6.1): limits from the settings, TTL, and loops. Returns the error to answer with, if any.
 * Only shape-level checks live here; body contents are checked by their handler.
 */
export function validateIncoming(
  message: OverlayMessage,
  self: NodeId,
  settings: OverlaySettings,
): Problem | undefined {
  const h = message?.header;
  if (!h || !Array.isArray(h.destinations) || !Array.isArray(h.via)) {
    return invalid('missing forwarding header');
  }
  if (typeof message.body?.type !== 'string') return invalid('missing message body');
  if (typeof h.transactionId !== 'bigint') return invalid('bad transaction id');
  if (!Number.isInteger(h.ttl) || h.ttl < 0 || h.ttl > settings.initialTtl) {
    return invalid(`TTL ${String(h.ttl)} outside 0..${settings.initialTtl}`);
  }
  if (h.destinations.length === 0) return invalid('empty destination list');
  if (h.destinations.length > settings.maxDestinations) {
    return invalid(`${h.destinations.length} destinations, limit ${settings.maxDestinations}`);
  }
  if (h.via.length > settings.maxViaLength) {
    return invalid(`via list of ${h.via.length}, limit ${settings.maxViaLength}`);
  }
  for (const v of h.via as readonly (Destination | undefined)[]) {
    if (v?.kind === 'node' && v.id === self) {
      return { code: ErrorCode.LoopDetected, info: 'own Node-ID already in the via list' };
    }
  }
  return undefined;
}

function invalid(info: string): Problem {
  return { code: ErrorCode.InvalidMessage, info };
}
