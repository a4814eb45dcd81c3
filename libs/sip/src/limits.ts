/**
 * Bounds on what a parser accepts from the network, so that one peer cannot make us buffer or
 * scan without end. Defaults suit SIP over UDP (a datagram is at most 64 KiB) and are far above
 * any real message (RFC 3261 §18.1.1 keeps UDP messages under 1300 bytes where it can).
 */
export const KIB = 1024;

export interface SipParseLimits {
  /**
   * Largest whole message in bytes (start line, headers and body); also bounds Content-Length.
   * @default 64 KiB
   */
  maxBytes?: number;
  /**
   * Most header lines (a folded header counts once).
   * @default 256
   */
  maxHeaders?: number;
  /**
   * Longest start line or header, in characters after unfolding.
   * @default 8 KiB
   */
  maxLineLength?: number;
}

export const DEFAULT_LIMITS: Readonly<Required<SipParseLimits>> = {
  maxBytes: 64 * KIB,
  maxHeaders: 256,
  maxLineLength: 8 * KIB,
};

export function resolveLimits(limits: SipParseLimits): Required<SipParseLimits> {
  return {
    maxBytes: limits.maxBytes ?? DEFAULT_LIMITS.maxBytes,
    maxHeaders: limits.maxHeaders ?? DEFAULT_LIMITS.maxHeaders,
    maxLineLength: limits.maxLineLength ?? DEFAULT_LIMITS.maxLineLength,
  };
}
