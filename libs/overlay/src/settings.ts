/** Unit helpers: durations are milliseconds everywhere. */
export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;

/** Overlay behaviour; every field has a default (see `DEFAULT_OVERLAY_SETTINGS`). */
export interface OverlaySettings {
  /** Successor-list length (RFC 6940 §10.3: at least 3). @default 3 */
  readonly successors: number;
  /** Predecessor-list length. @default 3 */
  readonly predecessors: number;
  /** Finger-table size; finger i targets [self + 2^(128−i), self + 2^(129−i) − 1]. @default 16 */
  readonly fingers: number;
  /** Period of Updates to every neighbour (chord-update-interval), ms, jittered. @default 60 s */
  readonly updateIntervalMs: number;
  /** Period of finger refresh (chord-ping-interval role), ms, jittered. @default 60 s */
  readonly pingIntervalMs: number;
  /** Timers fire at interval × (1 ± jitter) so that nodes do not synchronise. @default 0.25 */
  readonly timerJitter: number;
  /** Send Updates as soon as the neighbour set changes (chord-reactive). @default true */
  readonly reactive: boolean;
  /** TTL of originated messages; arriving messages with a larger TTL are refused. @default 100 */
  readonly initialTtl: number;
  /** End-to-end retransmission timer (overlay-reliability-timer), ms. @default 3000 */
  readonly requestTimeoutMs: number;
  /** Transmissions of a request in total, the first included. @default 5 */
  readonly maxTransmissions: number;
  /** How long a responder replays its answer to a retransmitted request, ms. @default 15 s */
  readonly answerCacheMs: number;
  /** Longest destination list accepted (longer → Error_Invalid_Message). @default 32 */
  readonly maxDestinations: number;
  /** Longest via list accepted (longer → Error_Invalid_Message). @default 128 */
  readonly maxViaLength: number;
  /** A node that failed or left is not re-attached to for this long, ms. @default 30 s */
  readonly failedPeerHoldDownMs: number;
  /**
   * Attaches in progress at once, in each direction: outbound ones this node started (excess
   * candidates are dropped until the next Update offers them again) and inbound ones it answered
   * whose link has not arrived yet (excess requests get Error_In_Progress). A join needs about
   * successors + predecessors + fingers (22) at once; an admitting peer of a flash crowd answers
   * one per joiner. @default 64
   */
  readonly maxConcurrentAttaches: number;
}

export const DEFAULT_OVERLAY_SETTINGS: OverlaySettings = {
  successors: 3,
  predecessors: 3,
  fingers: 16,
  updateIntervalMs: MINUTE_MS,
  pingIntervalMs: MINUTE_MS,
  timerJitter: 0.25,
  reactive: true,
  initialTtl: 100,
  requestTimeoutMs: 3 * SECOND_MS,
  maxTransmissions: 5,
  answerCacheMs: 15 * SECOND_MS,
  maxDestinations: 32,
  maxViaLength: 128,
  failedPeerHoldDownMs: 30 * SECOND_MS,
  maxConcurrentAttaches: 64,
};

export function resolveSettings(partial?: Partial<OverlaySettings>): OverlaySettings {
  const s = { ...DEFAULT_OVERLAY_SETTINGS, ...partial };
  if (s.successors < 1 || s.predecessors < 1) throw new RangeError('need at least one neighbour');
  if (s.fingers < 0 || s.fingers > 128) throw new RangeError('fingers must be in 0..128');
  if (s.maxTransmissions < 1) throw new RangeError('maxTransmissions must be at least 1');
  if (!(s.maxConcurrentAttaches >= 1)) throw new RangeError('maxConcurrentAttaches must be at least 1');
  return s;
}
