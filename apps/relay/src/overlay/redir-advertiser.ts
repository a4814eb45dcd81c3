import type { NodeId } from '@p2psip/identity';
import type { Clock } from '@p2psip/overlay';
import { RedirProvider, type RedirPort, TURN_SERVER_NAMESPACE } from '@p2psip/redir';
import type { Logger } from '@p2psip/telemetry';

export interface RedirAdvertiserComponents {
  readonly port: RedirPort;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RedirAdvertiserInit {
  /** The relay service's Node-ID: the provider ReDiR lookups find. */
  readonly providerId: NodeId;
  /** The configuration's `redir:branching-factor`. */
  readonly branchingFactor: number;
  /** Lifetime of each record, s; the registration is redone at 90 % of it. */
  readonly lifetimeS: number;
  /** Deadline of one registration walk, ms. @default 30 s */
  readonly timeoutMs?: number;
}

/**
 * The relay service as a provider of `turn-server` in ReDiR (RFC 7374): registered while at least
 * one of its relays is handed out, withdrawn (exists = false) when none is. A lookup finds the
 * service's Node-ID; the relays themselves are its TURN-SERVICE values at H(Node-ID ‖ d), which
 * follow each relay's health on their own. One Node-ID is one dictionary key, so the provider is
 * the service, not each TURN server.
 */
export class RedirAdvertiser {
  private readonly provider: RedirProvider;

  constructor(
    private readonly components: RedirAdvertiserComponents,
    init: RedirAdvertiserInit,
  ) {
    this.provider = new RedirProvider(
      { port: components.port, clock: components.clock, logger: components.logger },
      {
        namespace: TURN_SERVER_NAMESPACE,
        providerId: init.providerId,
        branchingFactor: init.branchingFactor,
        lifetimeMs: init.lifetimeS * 1000,
        ...(init.timeoutMs === undefined ? {} : { timeoutMs: init.timeoutMs }),
      },
    );
  }

  get state(): RedirProvider['state'] {
    return this.provider.state;
  }

  /** Registers or withdraws when the service starts or stops having relays to hand out. */
  relaysChanged(available: boolean): void {
    const { logger } = this.components;
    if (available && this.provider.state === 'idle') {
      // A failed first walk is retried by the provider; the log says why.
      void this.provider
        .register()
        .catch((error: unknown) =>
          logger.warn({ err: (error as Error).message }, 'ReDiR registration failed; retrying'),
        );
    } else if (!available && this.provider.state !== 'idle') {
      void this.provider
        .withdraw()
        .catch((error: unknown) => logger.warn({ err: (error as Error).message }, 'ReDiR withdrawal failed'));
    }
  }

  /**
   * Stops refreshing. With `withdraw`, removes the records first (the service's relays stop with
   * it); otherwise they stay findable until their lifetime ends.
   */
  async stop(options: { withdraw: boolean; signal?: AbortSignal }): Promise<void> {
    if (options.withdraw) await this.provider.withdraw(options.signal ? { signal: options.signal } : {});
    else this.provider.stop();
  }
}
