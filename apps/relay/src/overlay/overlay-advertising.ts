import type { StoredIdentity } from '@p2psip/enrollment-client';
import { parseCertificate } from '@p2psip/identity';
import type { OverlayConfiguration } from '@p2psip/overlay-config';
import { systemClock } from '@p2psip/overlay-grpc';
import { Kind, createCertificateTrust } from '@p2psip/storage';
import type { Logger } from '@p2psip/telemetry';
import type { HealthChange, RelayInventory } from '../inventory/relay-inventory';
import type { RelayEndpoint } from '../turn/relay-endpoint';
import { PeerAttachment } from './peer-attachment';
import { RedirAdvertiser } from './redir-advertiser';
import { AttachmentRedirPort } from './redir-port';
import { TurnServiceAdvertiser } from './turn-service-advertiser';

export interface OverlayAdvertisingComponents {
  readonly identity: StoredIdentity;
  readonly overlay: OverlayConfiguration;
  readonly inventory: RelayInventory;
  /** The service's logger: children named turn-service, redir and advertising log from here. */
  readonly logger: Logger;
  /** Aborted when the service shuts down. */
  readonly signal: AbortSignal;
}

export interface OverlayAdvertisingInit {
  readonly peer?: string;
  readonly bootstrap?: string;
  readonly endpoints: readonly RelayEndpoint[];
  /** TURN-SERVICE positions per relay. */
  readonly turnDensity: number;
  /** Lifetime of TURN-SERVICE values, s (refreshed at half). */
  readonly lifetimeS: number;
  /** Lifetime of ReDiR records, s (refreshed at 90 %). */
  readonly redirLifetimeS: number;
  /** The relay this service runs itself (managed coturn): withdrawn when the service stops. */
  readonly managed?: string;
  /** Deadline of each call to the attachment peer, ms. @default 10 s */
  readonly timeoutMs?: number;
  /** How long stopping may spend on removals, ms. @default 5 s */
  readonly stopTimeoutMs?: number;
}

/**
 * Everything the relay service keeps in the overlay, through one attachment: each handed-out relay
 * as TURN-SERVICE at H(Node-ID ‖ d), and the service itself as a `turn-server` provider in ReDiR
 * (when the configuration has the REDIR kind). Both follow the relays' health.
 */
export class OverlayAdvertising {
  private readonly attachment: PeerAttachment;
  private readonly turn: TurnServiceAdvertiser;
  private readonly redir: RedirAdvertiser | undefined;
  private readonly logger: Logger;
  private stopping = false;

  constructor(
    private readonly components: OverlayAdvertisingComponents,
    private readonly init: OverlayAdvertisingInit,
  ) {
    const { identity, overlay, logger, signal } = components;
    this.logger = logger.child({ component: 'advertising' });
    const timeoutMs = init.timeoutMs ?? 10_000;
    this.attachment = new PeerAttachment(
      { identity, overlay, signal },
      {
        ...(init.peer ? { peer: init.peer } : {}),
        ...(init.bootstrap ? { bootstrap: init.bootstrap } : {}),
        timeoutMs,
      },
    );
    this.turn = new TurnServiceAdvertiser(
      {
        identity,
        overlay,
        attachment: this.attachment,
        logger: logger.child({ component: 'turn-service' }),
        signal,
      },
      { turnDensity: init.turnDensity, lifetimeS: init.lifetimeS, endpoints: init.endpoints, timeoutMs },
    );
    const kind = overlay.kinds.find((k) => k.id === Kind.Redir);
    const providerId = identity.certificate.nodeIds[0];
    if (!kind || providerId === undefined) {
      this.logger.warn('the overlay configuration has no REDIR kind (0x104): no ReDiR registration');
      return;
    }
    const port = new AttachmentRedirPort(
      {
        attachment: this.attachment,
        identity,
        trust: createCertificateTrust({
          caCertificateDer: parseCertificate(identity.caPem).der,
          overlay: overlay.instanceName,
        }),
        kind,
        policy: { redirBranchingFactor: overlay.redirBranchingFactor },
      },
      { timeoutMs },
    );
    this.redir = new RedirAdvertiser(
      { port, clock: systemClock, logger: logger.child({ component: 'redir' }) },
      { providerId, branchingFactor: overlay.redirBranchingFactor, lifetimeS: init.redirLifetimeS },
    );
  }

  /** A relay's health changed: store or withdraw it, and register or withdraw the service in ReDiR. */
  healthChanged(change: HealthChange): void {
    // A check that was under way when stopping began must not re-advertise what stop withdraws.
    if (this.stopping) return;
    this.turn.healthChanged(change.status);
    this.redir?.relaysChanged(this.components.inventory.rank().length > 0);
  }

  /** Keeps TURN-SERVICE values fresh until shutdown (ReDiR refreshes itself). */
  scheduleRefresh(): void {
    this.turn.scheduleRefresh(this.components.inventory);
  }

  /**
   * Call after health checks stopped. The managed relay stops with the service: it is withdrawn
   * from TURN-SERVICE, and the ReDiR registration too unless other relays stay in service. Relays
   * run by others stay advertised until their values' lifetime ends.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const { inventory } = this.components;
    const { logger } = this;
    const signal = AbortSignal.timeout(this.init.stopTimeoutMs ?? 5000);
    const managed = this.init.managed === undefined ? undefined : inventory.get(this.init.managed);
    if (managed) {
      await this.turn
        .withdraw(managed, { signal })
        .catch((error: unknown) =>
          logger.warn(
            { relay: managed.endpoint.address, err: (error as Error).message },
            'withdrawal failed',
          ),
        );
    }
    const othersInService = inventory.rank().some((status) => status.endpoint.address !== this.init.managed);
    await this.redir
      ?.stop({ withdraw: !othersInService, signal })
      .catch((error: unknown) => logger.warn({ err: (error as Error).message }, 'ReDiR withdrawal failed'));
    this.attachment.close();
  }
}
