/**
 * NATS subjects of one overlay (DESIGN.md §7). The overlay name is used as written: its dots make
 * it several subject tokens, which is harmless (`p2psip.<overlay>.>` still matches everything of
 * one overlay) and keeps subjects readable in `nats sub` output.
 */
export function overlaySubjects(overlay: string) {
  const base = `p2psip.${overlay}`;
  return {
    all: `${base}.>`,
    certIssued: `${base}.cert.issued`,
    certRevoked: `${base}.cert.revoked`,
    peerAnnounce: `${base}.peer.announce`,
    peerLeave: `${base}.peer.leave`,
    relayHealth: `${base}.relay.health`,
    diag: `${base}.diag`,
  } as const;
}

/** JetStream stream names allow no dots or spaces: `P2PSIP_REVOCATIONS_P2PSIP_TEST`. */
export function revocationStreamName(overlay: string): string {
  return `P2PSIP_REVOCATIONS_${overlay.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
