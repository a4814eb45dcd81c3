import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredIdentity } from '@p2psip/enrollment-client';
import { idToBytes, idToHex, nodeMultipleResourceId } from '@p2psip/identity';
import { kindDataToProto } from '@p2psip/overlay-grpc';
import type { OverlayConfiguration } from '@p2psip/overlay-config';
import { callUnary } from '@p2psip/rpc';
import { signValue } from '@p2psip/storage';
import type { Logger } from '@p2psip/telemetry';
import { RelayConfigError } from '../errors';
import { type RelayInventory, type RelayStatus, isHandedOut } from '../inventory/relay-inventory';
import type { RelayEndpoint } from '../turn/relay-endpoint';
import type { PeerAttachment } from './peer-attachment';
import { encodeTurnServer } from './turn-server-value';

export const TURN_SERVICE_KIND = 0x2;

export interface AdvertiserComponents {
  readonly identity: StoredIdentity;
  readonly overlay: OverlayConfiguration;
  readonly attachment: PeerAttachment;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

export interface AdvertiserInit {
  /** Positions per TURN server: server i (from 0) uses d = i·density + 1 … (i+1)·density. */
  readonly turnDensity: number;
  /** Lifetime of each stored value, s; values are refreshed at half of it. */
  readonly lifetimeS: number;
  readonly endpoints: readonly RelayEndpoint[];
  /** Deadline of each call to the attachment peer, ms. @default 10 s */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Stores each handed-out relay as TURN-SERVICE (kind 2, SINGLE, NODE-MULTIPLE) at this service's
 * positions H(Node-ID ‖ d), signed with its own key, with a limited lifetime refreshed at half of
 * it. A withdrawn relay is overwritten with a removal (exists = false) at once; a stopped service
 * stores nothing more, so its values live until their lifetime ends — except for the relay it
 * runs itself (managed coturn), which stops with it and is withdrawn first (`withdraw`).
 */
export class TurnServiceAdvertiser {
  private lastStorageTimeMs = 0n;
  private readonly positions = new Map<string, number[]>();
  private readonly maxIndex: number;
  /** The latest known status of each relay: what a queued store publishes when its turn comes. */
  private readonly latest = new Map<string, RelayStatus>();
  /** Stores run one at a time, so a refresh never overwrites a newer withdrawal (or the reverse). */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly components: AdvertiserComponents,
    private readonly init: AdvertiserInit,
  ) {
    const kind = components.overlay.kinds.find((k) => k.id === TURN_SERVICE_KIND);
    this.maxIndex = kind?.maxNodeMultiple ?? 0;
    const needed = init.endpoints.length * init.turnDensity;
    if (!kind || needed > this.maxIndex)
      throw new RelayConfigError(
        'TOO_MANY_POSITIONS',
        `${init.endpoints.length} relay(s) × turn-density ${init.turnDensity} need ${needed} TURN-SERVICE positions; the overlay allows ${this.maxIndex}`,
      );
    init.endpoints.forEach((endpoint, i) =>
      this.positions.set(
        endpoint.address,
        Array.from({ length: init.turnDensity }, (_, k) => i * init.turnDensity + k + 1),
      ),
    );
  }

  /** Store or withdraw at once when a relay's health changes (logs failures; the refresh retries). */
  healthChanged(status: RelayStatus): void {
    this.latest.set(status.endpoint.address, status);
    void this.enqueue(status.endpoint.address).catch((error: unknown) =>
      this.components.logger.warn(
        { relay: status.endpoint.address, err: (error as Error).message },
        'advertising failed',
      ),
    );
  }

  /** Re-stores every handed-out relay at half the lifetime (sooner after a failure) until stopped. */
  scheduleRefresh(inventory: RelayInventory): void {
    const { signal, logger } = this.components;
    void (async () => {
      while (!signal.aborted) {
        let failed = false;
        for (const status of inventory.list()) {
          if (!this.latest.has(status.endpoint.address)) this.latest.set(status.endpoint.address, status);
          if (!isHandedOut(this.latest.get(status.endpoint.address)?.health ?? 'unknown')) continue;
          await this.enqueue(status.endpoint.address).catch((error: unknown) => {
            failed = true;
            logger.warn(
              { relay: status.endpoint.address, err: (error as Error).message },
              'advertising failed',
            );
          });
        }
        const pauseMs = failed ? 2000 : (this.init.lifetimeS * 1000) / 2;
        await sleep(pauseMs, undefined, { signal }).catch(() => undefined);
      }
    })();
  }

  /**
   * Removes a relay from the overlay now and for good (its coturn is about to stop with this
   * service): settles when the removals are stored, or fails by the signal's deadline.
   */
  async withdraw(status: RelayStatus, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.latest.set(status.endpoint.address, { ...status, health: 'unhealthy' });
    await this.enqueue(status.endpoint.address, options.signal);
  }

  private enqueue(address: string, signal?: AbortSignal): Promise<void> {
    const job = this.queue.then(() => {
      const status = this.latest.get(address);
      return status ? this.publish(status, isHandedOut(status.health), signal) : undefined;
    });
    this.queue = job.catch(() => undefined);
    return job;
  }

  private async publish(status: RelayStatus, exists: boolean, callerSignal?: AbortSignal): Promise<void> {
    const { identity } = this.components;
    const signal = callerSignal ?? this.components.signal;
    if (signal.aborted) return;
    const nodeId = identity.certificate.nodeIds[0];
    const indexes = this.positions.get(status.endpoint.address) ?? [];
    if (nodeId === undefined || indexes.length === 0) return;
    const attachment = await this.components.attachment.get();
    for (const d of indexes) {
      const resourceId = nodeMultipleResourceId(nodeId, d);
      // storage_time must grow for every replacement, even two in the same millisecond.
      const now = BigInt(Date.now());
      this.lastStorageTimeMs = now > this.lastStorageTimeMs ? now : this.lastStorageTimeMs + 1n;
      const value = signValue(
        {
          resourceId,
          kind: TURN_SERVICE_KIND,
          item: {
            model: 'SINGLE',
            exists,
            value: exists
              ? encodeTurnServer(d, status.endpoint.host, status.endpoint.port)
              : new Uint8Array(0),
          },
          storageTimeMs: this.lastStorageTimeMs,
          lifetimeS: this.init.lifetimeS,
        },
        { certificateDer: identity.certificate.der, privateKey: identity.keyPem },
      );
      try {
        await callUnary(
          attachment.client,
          'store',
          {
            resourceId: idToBytes(resourceId),
            kindData: [kindDataToProto({ kind: TURN_SERVICE_KIND, generation: 0n, values: [value] })],
            certificates: [],
          },
          { timeoutMs: this.init.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal },
        );
      } catch (error) {
        // The peer may be gone: attach again next time.
        this.components.attachment.reset();
        throw error;
      }
    }
    this.components.logger.info(
      {
        relay: status.endpoint.address,
        exists,
        positions: indexes,
        nodeId: idToHex(nodeId),
        lifetimeS: this.init.lifetimeS,
      },
      exists ? 'advertised TURN-SERVICE' : 'withdrew TURN-SERVICE',
    );
  }
}
