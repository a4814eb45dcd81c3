import type { NodeId } from '@p2psip/identity';
import type { Cancel, Clock, Destination } from '@p2psip/overlay';
import { InvalidRedirSettingsError } from './errors';
import type { RedirPort } from './port';
import { type RedirRegistration, registerProvider, unregisterProvider } from './register';
import { RedirTree, type RedirTreeInit, type TreeNode } from './tree';

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;

/** RFC 7374's default lifetime of a registration. */
export const DEFAULT_REDIR_LIFETIME_MS = 10 * MINUTE_MS;
/** Redo the registration after this part of the lifetime (RFC 7374: "about 90 %"). */
export const DEFAULT_REFRESH_RATIO = 0.9;

/** The logging the provider needs; a pino child logger satisfies it. */
export interface RedirLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface RedirProviderComponents {
  readonly port: RedirPort;
  /** Wall time and timers in apps, a virtual clock in tests and the simulator. */
  readonly clock: Clock;
  readonly logger?: RedirLogger;
}

export interface RedirProviderInit extends RedirTreeInit {
  readonly providerId: NodeId;
  /** How to reach the provider. @default one node destination, its Node-ID */
  readonly destinations?: readonly Destination[];
  /** Lifetime of each stored record, ms; stored in whole seconds. @default 10 min */
  readonly lifetimeMs?: number;
  /** Part of the lifetime after which the registration is redone, in (0, 1). @default 0.9 */
  readonly refreshRatio?: number;
  /** Pause before a failed registration is tried again, ms. @default 10 s */
  readonly retryDelayMs?: number;
  /** Deadline of one background registration (all its fetches and stores), ms. @default 30 s */
  readonly timeoutMs?: number;
}

/** Where a provider stands: never registered or withdrawn; registered; or wanting to be, after a failure. */
export type RedirProviderState = 'idle' | 'registered' | 'retrying';

/**
 * Keeps one provider registered in one namespace: `register()` walks the tree now and then redoes
 * the walk at 90 % of the lifetime (soft state, RFC 7374 §4.3) until `withdraw()` removes the
 * records or `stop()` leaves them to expire. A failed walk is retried after `retryDelayMs`.
 * Operations run one at a time, so a refresh never lands after the withdrawal that followed it.
 */
export class RedirProvider {
  readonly tree: RedirTree;
  private readonly lifetimeS: number;
  private readonly refreshMs: number;
  private readonly retryDelayMs: number;
  private readonly timeoutMs: number;
  /** Tree nodes that may hold a live record of ours, with when that record expires (clock ms). */
  private readonly held = new Map<bigint, { node: TreeNode; expiresAtMs: number }>();
  private queue: Promise<unknown> = Promise.resolve();
  private timer: Cancel | undefined;
  /** Aborts the walk that is running when the provider is withdrawn or stopped. */
  private walk: AbortController | undefined;
  private wanted = false;
  private lastOk = false;

  constructor(
    private readonly components: RedirProviderComponents,
    private readonly init: RedirProviderInit,
  ) {
    this.tree = new RedirTree(init);
    const lifetimeMs = init.lifetimeMs ?? DEFAULT_REDIR_LIFETIME_MS;
    const ratio = init.refreshRatio ?? DEFAULT_REFRESH_RATIO;
    if (
      !Number.isInteger(lifetimeMs / SECOND_MS) ||
      lifetimeMs < SECOND_MS ||
      lifetimeMs / SECOND_MS > 0xffffffff
    )
      throw new InvalidRedirSettingsError(`lifetimeMs is whole seconds, at least one, got ${lifetimeMs}`);
    if (!(ratio > 0 && ratio < 1))
      throw new InvalidRedirSettingsError(`refreshRatio lies in (0, 1), got ${ratio}`);
    this.lifetimeS = lifetimeMs / SECOND_MS;
    this.refreshMs = Math.max(1, Math.floor(lifetimeMs * ratio));
    this.retryDelayMs = init.retryDelayMs ?? 10 * SECOND_MS;
    this.timeoutMs = init.timeoutMs ?? 30 * SECOND_MS;
  }

  get state(): RedirProviderState {
    if (!this.wanted) return 'idle';
    return this.lastOk ? 'registered' : 'retrying';
  }

  /**
   * Registers now and keeps the registration fresh from then on. Settles when this walk is done;
   * if it fails, the error is thrown and the provider still retries in the background.
   */
  register(options: { signal?: AbortSignal } = {}): Promise<RedirRegistration> {
    this.wanted = true;
    return this.enqueue(() => this.registerNow(options.signal));
  }

  /**
   * Stops refreshing and stores exists = false in every tree node that may still hold a live
   * record of ours. Settles when every removal was tried; throws the first failure.
   */
  withdraw(options: { signal?: AbortSignal } = {}): Promise<void> {
    this.halt();
    return this.enqueue(async () => {
      const now = this.components.clock.now();
      const nodes = [...this.held.values()].filter((h) => h.expiresAtMs > now).map((h) => h.node);
      this.held.clear();
      if (nodes.length === 0) return;
      await unregisterProvider(
        this.components.port,
        nodes,
        { providerId: this.init.providerId, lifetimeS: this.lifetimeS },
        options,
      );
      this.components.logger?.info(
        { namespace: this.tree.namespace, nodes: nodes.map(describe) },
        'ReDiR registration withdrawn',
      );
    });
  }

  /** Stops refreshing; the records stay until their lifetime ends. */
  stop(): void {
    this.halt();
  }

  private halt(): void {
    this.wanted = false;
    this.lastOk = false;
    this.timer?.cancel();
    this.timer = undefined;
    this.walk?.abort(new Error('the ReDiR provider stopped'));
  }

  private async registerNow(signal: AbortSignal | undefined): Promise<RedirRegistration> {
    const walk = new AbortController();
    this.walk = walk;
    const signals = [walk.signal, AbortSignal.timeout(this.timeoutMs), ...(signal ? [signal] : [])];
    const startedAt = this.components.clock.now();
    try {
      if (!this.wanted) throw new Error('the ReDiR provider was withdrawn before it registered');
      const registration = await registerProvider(
        this.components.port,
        this.tree,
        {
          providerId: this.init.providerId,
          ...(this.init.destinations ? { destinations: this.init.destinations } : {}),
          lifetimeS: this.lifetimeS,
        },
        { signal: AbortSignal.any(signals) },
      );
      const now = this.components.clock.now();
      for (const [key, held] of this.held) if (held.expiresAtMs <= now) this.held.delete(key);
      for (const node of registration.stored) {
        this.held.set(node.resourceId, { node, expiresAtMs: startedAt + this.lifetimeS * SECOND_MS });
      }
      this.lastOk = true;
      this.arm(this.refreshMs);
      this.components.logger?.info(
        {
          namespace: this.tree.namespace,
          nodes: registration.stored.map(describe),
          fetches: registration.fetches,
          lifetimeS: this.lifetimeS,
        },
        'ReDiR registration stored',
      );
      return registration;
    } catch (error) {
      this.lastOk = false;
      this.arm(this.retryDelayMs);
      throw error;
    } finally {
      if (this.walk === walk) this.walk = undefined;
    }
  }

  /** Schedules the next walk, unless the provider is no longer wanted. */
  private arm(delayMs: number): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (!this.wanted) return;
    this.timer = this.components.clock.schedule(delayMs, () => {
      this.timer = undefined;
      this.scheduleRefresh();
    });
  }

  /** A background walk: its failure is logged and retried, never thrown. */
  private scheduleRefresh(): void {
    if (!this.wanted) return;
    void this.enqueue(() => this.registerNow(undefined)).catch((error: unknown) =>
      this.components.logger?.warn(
        {
          namespace: this.tree.namespace,
          err: error instanceof Error ? error.message : String(error),
          retryInMs: this.retryDelayMs,
        },
        'ReDiR registration failed',
      ),
    );
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function describe(node: TreeNode): string {
  return `${node.level}/${node.node}`;
}
