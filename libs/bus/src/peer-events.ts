import type { Bus } from './bus';
import { decodeEvent, encodeEvent } from './events';
import { overlaySubjects } from './subjects';

/** `p2psip.<overlay>.peer.announce`: a peer is up and reachable at `address` (sent periodically). */
export interface PeerAnnouncement {
  /** 32 lower-case hex. */
  readonly nodeId: string;
  /** host:port of its gRPC endpoint. */
  readonly address: string;
  readonly uptimeS: number;
}

/** `p2psip.<overlay>.peer.leave`: a peer left gracefully. */
export interface PeerDeparture {
  readonly nodeId: string;
}

export function publishPeerAnnouncement(bus: Bus, overlay: string, event: PeerAnnouncement): void {
  bus.connection.publish(overlaySubjects(overlay).peerAnnounce, encodeEvent(event));
}

export function publishPeerDeparture(bus: Bus, overlay: string, event: PeerDeparture): void {
  bus.connection.publish(overlaySubjects(overlay).peerLeave, encodeEvent(event));
}

const NODE_ID = /^[0-9a-f]{32}$/;
const ADDRESS = /^[^\s:]+:\d{1,5}$/;

/**
 * Calls the handlers for every well-formed announcement and departure until the signal aborts.
 * Malformed messages are dropped: anyone on the control plane could send them.
 */
export function subscribePeerEvents(
  bus: Bus,
  overlay: string,
  handlers: { announce(event: PeerAnnouncement): void; leave(event: PeerDeparture): void },
  options: { readonly signal?: AbortSignal } = {},
): void {
  const subjects = overlaySubjects(overlay);
  const announcements = bus.connection.subscribe(subjects.peerAnnounce, {
    callback: (error, message) => {
      const event = error ? undefined : decodeEvent<PeerAnnouncement>(message.data);
      if (event && NODE_ID.test(String(event.nodeId)) && ADDRESS.test(String(event.address))) {
        handlers.announce({
          nodeId: event.nodeId,
          address: event.address,
          uptimeS: Number(event.uptimeS) || 0,
        });
      }
    },
  });
  const departures = bus.connection.subscribe(subjects.peerLeave, {
    callback: (error, message) => {
      const event = error ? undefined : decodeEvent<PeerDeparture>(message.data);
      if (event && NODE_ID.test(String(event.nodeId))) handlers.leave({ nodeId: event.nodeId });
    },
  });
  options.signal?.addEventListener(
    'abort',
    () => {
      announcements.unsubscribe();
      departures.unsubscribe();
    },
    { once: true },
  );
}
