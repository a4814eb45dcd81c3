import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@p2psip/telemetry';
import { readCoturnSessions } from '../turn/coturn-cli';
import type { RelayEndpoint } from '../turn/relay-endpoint';
import { issueTurnCredentials } from '../turn/turn-credentials';
import { probeTurnServer } from '../turn/turn-probe';
import type { HealthChange, RelayInventory } from './relay-inventory';

export interface HealthCheckerComponents {
  readonly inventory: RelayInventory;
  /** The shared secret of the TURN servers (the test allocation uses credentials made from it). */
  readonly secret: string;
  /** Password of the coturn CLIs named by `?cli=`; without it load stays unknown. */
  readonly cliPassword?: string;
  readonly logger: Logger;
  /** Told about every change of a relay's health (NATS, overlay advertising). */
  readonly onChange: (change: HealthChange) => void;
  /** Told about every finished check, changed or not (metrics). */
  readonly onChecked?: (endpoint: RelayEndpoint, ok: boolean) => void;
  readonly signal: AbortSignal;
}

export interface HealthCheckerInit {
  /** Pause between check rounds, ms. @default 5000 */
  readonly intervalMs?: number;
  /** Deadline of each STUN transaction, ms. @default min(2000, intervalMs / 2) */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** The user name in the test allocation's credentials (visible in coturn's log). */
export const HEALTH_CHECK_USER = 'p2psip-relay-health';

/**
 * Checks every relay each interval: its load from the CLI (before our own allocation counts),
 * then a STUN Binding and a test allocation with credentials this service issues. Outcomes go
 * to the inventory; health changes to `onChange`.
 */
export class HealthChecker {
  readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    private readonly components: HealthCheckerComponents,
    init: HealthCheckerInit = {},
  ) {
    this.intervalMs = init.intervalMs ?? 5000;
    this.timeoutMs = init.timeoutMs ?? Math.min(2000, Math.floor(this.intervalMs / 2));
    this.now = init.now ?? Date.now;
  }

  /** One round over every relay; settles when every check has. */
  async checkAll(): Promise<void> {
    await Promise.all(this.components.inventory.endpoints().map((endpoint) => this.check(endpoint)));
  }

  /** Rounds until the signal aborts; the first runs at once. */
  scheduleChecks(): void {
    const { signal, logger } = this.components;
    void (async () => {
      while (!signal.aborted) {
        await this.checkAll().catch((error: unknown) => logger.error({ err: error }, 'check round failed'));
        await sleep(this.intervalMs, undefined, { signal }).catch(() => undefined);
      }
    })();
  }

  private async check(endpoint: RelayEndpoint): Promise<void> {
    const { inventory, signal, logger } = this.components;
    try {
      const load =
        endpoint.cliPort !== undefined && this.components.cliPassword !== undefined
          ? await readCoturnSessions({
              host: endpoint.host,
              port: endpoint.cliPort,
              password: this.components.cliPassword,
              timeoutMs: this.timeoutMs,
            }).catch((error: unknown) => {
              logger.warn({ relay: endpoint.address, err: error }, 'load unknown');
              return undefined;
            })
          : undefined;
      const credentials = issueTurnCredentials({
        secret: this.components.secret,
        userName: HEALTH_CHECK_USER,
        ttlMs: 60_000,
        nowMs: this.now(),
      });
      const probe = await probeTurnServer(endpoint, credentials, { timeoutMs: this.timeoutMs, signal });
      this.components.onChecked?.(endpoint, true);
      const change = inventory.recordSuccess(endpoint.address, {
        rttMs: probe.rttMs,
        ...(load === undefined ? {} : { allocations: load.sessions, bandwidthBps: load.bandwidthBps }),
        nowMs: this.now(),
      });
      if (change) this.components.onChange(change);
    } catch (error) {
      if (signal.aborted) return;
      this.components.onChecked?.(endpoint, false);
      const message = error instanceof Error ? error.message : String(error);
      const change = inventory.recordFailure(endpoint.address, { error: message, nowMs: this.now() });
      logger.warn(
        { relay: endpoint.address, code: (error as { code?: string }).code, err: message },
        'check failed',
      );
      if (change) this.components.onChange(change);
    }
  }
}
