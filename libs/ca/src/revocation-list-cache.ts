import { type CertificateAuthority, createRevocationList } from '@p2psip/identity';
import type { EnrollmentStore } from './store';

const CRL_NUMBER_KEY = 'crl-number';
const PAGE = 1000;

export interface RevocationListCacheInit {
  /** How long relying parties may use a CRL before fetching again, ms. @default 1 hour */
  readonly validityMs?: number;
  readonly now?: () => number;
}

/**
 * The CA's current CRL. Built from the store when first asked for and after every revocation,
 * with a CRL number that only grows (kept in the store, so it survives restarts); rebuilt when
 * half its validity has passed so a served CRL is never stale.
 */
export class RevocationListCache {
  private current: { der: Buffer; builtAtMs: number } | undefined;
  private building: Promise<Buffer> | undefined;
  // Bumped by invalidate(): a build that started before a revocation must not be cached or shared.
  private generation = 0;
  private readonly validityMs: number;
  private readonly now: () => number;

  constructor(
    private readonly components: {
      readonly store: EnrollmentStore;
      readonly authority: CertificateAuthority;
    },
    init: RevocationListCacheInit = {},
  ) {
    this.validityMs = init.validityMs ?? 60 * 60 * 1000;
    this.now = init.now ?? Date.now;
  }

  /** The DER CRL to serve. */
  async get(): Promise<Buffer> {
    const fresh = this.current && this.now() - this.current.builtAtMs < this.validityMs / 2;
    if (fresh && this.current) return this.current.der;
    return this.rebuild();
  }

  /** Forget the cached CRL; the next get() builds a new one. Call after each revocation. */
  invalidate(): void {
    this.generation++;
    this.current = undefined;
    this.building = undefined;
  }

  private rebuild(): Promise<Buffer> {
    if (this.building) return this.building;
    const building = this.build(this.generation).finally(() => {
      if (this.building === building) this.building = undefined;
    });
    this.building = building;
    return building;
  }

  private async build(generation: number): Promise<Buffer> {
    const { store, authority } = this.components;
    const entries: { serialNumber: string; revokedAt: Date }[] = [];
    let after: string | undefined;
    do {
      const page = await store.listCertificates(
        { revoked: true },
        { ...(after === undefined ? {} : { after }), limit: PAGE },
      );
      for (const record of page.certificates) {
        entries.push({ serialNumber: record.serialNumber, revokedAt: new Date(record.revokedAtMs ?? 0) });
      }
      after = page.next;
    } while (after !== undefined);
    const crlNumber = await this.nextCrlNumber();
    const builtAtMs = this.now();
    const der = await createRevocationList({
      authority,
      entries,
      crlNumber,
      thisUpdate: new Date(builtAtMs),
      nextUpdate: new Date(builtAtMs + this.validityMs),
    });
    if (generation === this.generation) this.current = { der, builtAtMs };
    return der;
  }

  private async nextCrlNumber(): Promise<number> {
    const { store } = this.components;
    for (;;) {
      const previous = await store.getSetting<number>(CRL_NUMBER_KEY);
      const next = (previous ?? 0) + 1;
      if (await store.compareAndSetSetting(CRL_NUMBER_KEY, previous, next)) return next;
    }
  }
}
