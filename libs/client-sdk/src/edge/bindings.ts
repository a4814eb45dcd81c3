import type { LocalSource } from './sip-transport';

/** One phone contact registered for an AOR at this edge (RFC 3261 §10.3). */
export interface Binding {
  /** The Contact URI as the phone sent it. */
  readonly contact: string;
  readonly expiresAtMs: number;
  /** Where the REGISTER came from: a TCP binding is reached through its connection. */
  readonly source: LocalSource;
}

/** The edge's location service: AOR (user@domain) → the contacts its phones registered. */
export class Bindings {
  private readonly byAor = new Map<string, Binding[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Applies one REGISTER's contacts (expires 0 removes); returns the AOR's live bindings. */
  update(
    aor: string,
    contacts: readonly { contact: string; expiresS: number }[],
    source: LocalSource,
  ): Binding[] {
    const now = this.now();
    const kept = this.live(aor).filter((b) => !contacts.some((c) => c.contact === b.contact));
    for (const { contact, expiresS } of contacts) {
      if (expiresS > 0) kept.push({ contact, expiresAtMs: now + expiresS * 1000, source });
    }
    this.set(aor, kept);
    return kept;
  }

  removeAll(aor: string): void {
    this.byAor.delete(aor);
  }

  live(aor: string): Binding[] {
    const now = this.now();
    return (this.byAor.get(aor) ?? []).filter((b) => b.expiresAtMs > now);
  }

  /** The binding whose Contact is `uri` (in-dialog requests name the phone's contact). */
  byContact(uri: string): Binding | undefined {
    const now = this.now();
    for (const list of this.byAor.values()) {
      const found = list.find((b) => b.contact === uri && b.expiresAtMs > now);
      if (found) return found;
    }
    return undefined;
  }

  /** Drops expired bindings; returns the AORs left with none. */
  sweep(): string[] {
    const emptied: string[] = [];
    for (const aor of [...this.byAor.keys()]) {
      const live = this.live(aor);
      if (live.length === 0) {
        this.byAor.delete(aor);
        emptied.push(aor);
      } else this.byAor.set(aor, live);
    }
    return emptied;
  }

  aors(): string[] {
    return [...this.byAor.keys()].filter((aor) => this.live(aor).length > 0);
  }

  get size(): number {
    return this.byAor.size;
  }

  private set(aor: string, list: Binding[]): void {
    if (list.length === 0) this.byAor.delete(aor);
    else this.byAor.set(aor, list);
  }
}
