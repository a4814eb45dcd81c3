import type { NodeId } from '@p2psip/identity';

/** The arc a peer is responsible for: ids in (`from`, `to`]; `from === to` is the whole ring. */
export interface ResponsibleRange {
  readonly from: bigint;
  readonly to: NodeId;
}

export interface OverlayEvents {
  /** The node is part of the ring (after Join, or at once for the first node). */
  joined: () => void;
  neighborsChanged: (n: { successors: readonly NodeId[]; predecessors: readonly NodeId[] }) => void;
  /** Storage hooks replication and migration here. `undefined` = not responsible for anything. */
  responsibilityChanged: (
    oldRange: ResponsibleRange | undefined,
    newRange: ResponsibleRange | undefined,
  ) => void;
  linkUp: (nodeId: NodeId) => void;
  linkDown: (nodeId: NodeId) => void;
}

/**
 * A small typed emitter. Listener arrays are created on first subscription so that simulator
 * nodes nobody listens to pay nothing. A throwing listener is isolated from the others.
 */
export class TypedEmitter<E extends { [K in keyof E]: (...args: never[]) => void }> {
  private listeners?: Map<keyof E, E[keyof E][]>;

  on<K extends keyof E>(event: K, listener: E[K]): () => void {
    this.listeners ??= new Map();
    const list = this.listeners.get(event) ?? [];
    list.push(listener);
    this.listeners.set(event, list);
    return () => this.off(event, listener);
  }

  off<K extends keyof E>(event: K, listener: E[K]): void {
    const list = this.listeners?.get(event);
    if (!list) return;
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
  }

  protected emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const list = this.listeners?.get(event);
    if (!list) return;
    for (const listener of [...list]) {
      try {
        (listener as (...a: Parameters<E[K]>) => void)(...args);
      } catch (error) {
        this.onListenerError(error, String(event));
      }
    }
  }

  protected onListenerError(_error: unknown, _event: string): void {}
}
