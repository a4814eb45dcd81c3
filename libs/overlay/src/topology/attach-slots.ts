import type { NodeId } from '@p2psip/identity';
import type { Clock } from '../components';
import { AttachLimitError, ReloadError } from '../errors';
import { ErrorCode } from '../messages/error-code';
import type { OverlaySettings } from '../settings';

type SlotSettings = Pick<OverlaySettings, 'maxConcurrentAttaches' | 'requestTimeoutMs' | 'maxTransmissions'>;

interface AwaitedLink {
  /** Clock time after which the requester is no longer expected to dial. */
  readonly until: number;
  /** The requester asked for a full Update once linked (RFC 6940 §6.5.1 send_update). */
  readonly sendUpdate: boolean;
}

/**
 * Bounds the Attaches in progress (`maxConcurrentAttaches` in each direction), so that neither
 * Update lists nor a flood of Attach requests make a node open links without limit:
 *
 * - outbound: Attaches this node started (to peers from Updates and Leaves, finger refresh, the
 *   join), from the request until the link is up or the attempt failed. Beyond the cap a new one
 *   fails at once with `AttachLimitError`; a candidate dropped so is offered again by the next
 *   Update.
 * - inbound: Attach requests this node answered from nodes not linked to it yet, until their link
 *   arrives — or until the requester has had as long as a joiner waits for the admitting peer's
 *   Update (`requestTimeoutMs × maxTransmissions`). Beyond the cap a request is answered with
 *   Error_In_Progress.
 */
export class AttachSlots {
  private outbound = 0;
  private readonly awaited = new Map<NodeId, AwaitedLink>();

  constructor(
    private readonly clock: Clock,
    private readonly settings: SlotSettings,
  ) {}

  /** Outbound Attaches under way. */
  get outboundInProgress(): number {
    return this.outbound;
  }

  /** Answered Attaches whose link has not arrived yet (expired ones dropped). */
  get inboundInProgress(): number {
    this.sweep();
    return this.awaited.size;
  }

  /** Runs one outbound Attach in a slot; rejects with `AttachLimitError` when none is free. */
  async outboundAttach<T>(work: () => Promise<T>): Promise<T> {
    if (this.outbound >= this.settings.maxConcurrentAttaches) {
      throw new AttachLimitError(
        `${this.outbound} Attaches in progress (maxConcurrentAttaches ${this.settings.maxConcurrentAttaches})`,
      );
    }
    this.outbound++;
    try {
      return await work();
    } finally {
      this.outbound--;
    }
  }

  /**
   * Takes an inbound slot for `requester`, whose link is now expected; throws the
   * Error_In_Progress answer when every slot is taken. A requester already waited for keeps its
   * slot (a retransmission or a second Attach does not take another).
   */
  admitInbound(requester: NodeId, sendUpdate: boolean): void {
    const previous = this.awaited.get(requester);
    if (!previous && this.inboundInProgress >= this.settings.maxConcurrentAttaches) {
      throw new ReloadError(
        ErrorCode.InProgress,
        `too many Attaches in progress (${this.settings.maxConcurrentAttaches}); retry later`,
      );
    }
    const { requestTimeoutMs, maxTransmissions } = this.settings;
    this.awaited.set(requester, {
      until: this.clock.now() + requestTimeoutMs * maxTransmissions,
      sendUpdate: sendUpdate || (previous?.sendUpdate ?? false),
    });
  }

  /** The link of an awaited requester arrived: frees its slot; true if it asked for an Update. */
  linkArrived(requester: NodeId): boolean {
    const awaited = this.awaited.get(requester);
    this.awaited.delete(requester);
    return awaited !== undefined && awaited.until > this.clock.now() && awaited.sendUpdate;
  }

  clear(): void {
    this.awaited.clear();
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [id, awaited] of this.awaited) if (awaited.until <= now) this.awaited.delete(id);
  }
}
