/**
 * When each AOR's overlay registration is due for renewal. The stored entry is a route to this
 * edge ([attachment peer, edge]), not the phones' Contacts, so a REGISTER that adds, changes or
 * refreshes bindings needs no overlay store until then; past it, the edge renews the entry while
 * the AOR has bindings. The renewal point lies between 60 % and 80 % of the entry's life (about ⅔,
 * as a client refreshes), drawn at random: entries stored together (an edge's first minute, a
 * re-attach) must not all come due in the same second and stall the edge with a burst of stores.
 */
export class StoredRegistrations {
  private readonly renewAt = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** True when the entry stored for `aor` is not yet due for renewal. */
  isFresh(aor: string): boolean {
    const due = this.renewAt.get(aor);
    return due !== undefined && this.now() < due;
  }

  record(aor: string, lifetimeS: number): void {
    const share = 0.6 + 0.2 * Math.min(1, Math.max(0, this.random()));
    this.renewAt.set(aor, this.now() + lifetimeS * 1000 * share);
  }

  forget(aor: string): void {
    this.renewAt.delete(aor);
  }

  /** AORs whose entries are due for renewal (renew them, or let them go). */
  due(): string[] {
    const now = this.now();
    return [...this.renewAt].filter(([, due]) => now >= due).map(([aor]) => aor);
  }
}
