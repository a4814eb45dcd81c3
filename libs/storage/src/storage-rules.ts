import { type ResourceId, resourceIdFromBigInt } from '@p2psip/identity';
import { ErrorCode, ReloadError } from '@p2psip/overlay';
import { HASH_ALGORITHM_SHA256 } from '@p2psip/overlay-config';
import { isAuthorized } from './access-policy';
import { type StoreMode, applyValues } from './apply-store';
import type { CertificateTrust } from './certificate-trust';
import { StorageError } from './errors';
import type { KindDefinition, KindRegistry } from './kinds';
import {
  type HeldValue,
  type KindRecord,
  type StoredDataSpecifier,
  type StoredValue,
  UINT64_MAX,
} from './model';
import type {
  FetchKindResult,
  FindKindResult,
  StatKindResult,
  StoreKindData,
  StoredMetaData,
} from './operations';
import { valueHash } from './reload-encoding';
import { KeyedLock } from './resource-lock';
import { selectValues } from './select-values';
import { verifyValue } from './value-signing';
import type { VerifiedSignatures } from './verified-signatures';
import { type ValueStore, inArc } from './value-store';

export interface StorageRulesInit {
  readonly kinds: KindRegistry;
  readonly store: ValueStore;
  readonly trust: CertificateTrust;
  /** Value signatures the process already verified; omitted, every value is checked anew. */
  readonly verifiedValues?: VerifiedSignatures;
  /** Local clock, ms (the node's injected clock): lifetimes and expiry. */
  readonly now: () => number;
  /**
   * Wall time (ms since 1970) for certificate validity. A simulator's virtual clock starts at 0,
   * far from any certificate's validity. @default now
   */
  readonly certificateTime?: () => number;
}

export interface StoreOptions {
  readonly mode: StoreMode;
}

/**
 * RELOAD's storage rules over a ValueStore (RFC 6940 §7): kind checks, signatures and access
 * policies, generation counters, storage_time ordering, size and count limits, expiry, and the
 * Fetch/Stat/Find selections. No routing and no I/O beyond the injected store.
 */
export class StorageRules {
  private readonly lock = new KeyedLock<bigint>();

  constructor(private readonly init: StorageRulesInit) {}

  get kinds(): KindRegistry {
    return this.init.kinds;
  }

  /**
   * Applies a Store atomically across its kinds; returns the new generation of each kind.
   * Throws ReloadError with RELOAD's code for the first rule a value breaks.
   */
  async store(
    resourceId: ResourceId,
    kindData: readonly StoreKindData[],
    options: StoreOptions,
  ): Promise<{ kind: number; generation: bigint }[]> {
    const now = this.init.now();
    if (new Set(kindData.map((d) => d.kind)).size !== kindData.length) {
      throw new ReloadError(ErrorCode.InvalidMessage, 'a kind appears twice in one Store');
    }
    // A user's Store is all or nothing. A copy between peers keeps what still verifies: one value
    // whose signer was revoked since, or a kind dropped from the configuration, must not stop
    // the rest of the resource from moving to its new owner or replicas.
    const checked =
      options.mode === 'original'
        ? kindData.map((data) => this.checkKindData(resourceId, data, now))
        : kindData.flatMap((data) => this.acceptableCopies(resourceId, data, now));
    return this.lock.run(resourceId, async () => {
      const records: KindRecord[] = [];
      for (const { kind, data } of checked) {
        const current = await this.readForUpdate(resourceId, kind.id);
        records.push(this.nextRecord(resourceId, kind, data, current, options.mode, now));
      }
      await this.init.store.write(records);
      return records.map((r) => ({ kind: r.kind, generation: r.generation }));
    });
  }

  async fetch(
    resourceId: ResourceId,
    specifiers: readonly StoredDataSpecifier[],
  ): Promise<FetchKindResult[]> {
    const now = this.init.now();
    const results: FetchKindResult[] = [];
    for (const spec of specifiers) {
      const kind = this.kindOf(spec.kind);
      const record = await this.init.store.read(resourceId, spec.kind);
      const generation = record?.generation ?? 0n;
      if (spec.generation !== 0n && spec.generation === generation) {
        results.push({ kind: spec.kind, generation, values: [] });
        continue;
      }
      const live = liveValues(record, now).map((v) => withRemainingLifetime(v, now));
      results.push({ kind: spec.kind, generation, values: selectValues(kind, live, spec.selector) });
    }
    return results;
  }

  async stat(resourceId: ResourceId, specifiers: readonly StoredDataSpecifier[]): Promise<StatKindResult[]> {
    const fetched = await this.fetch(resourceId, specifiers);
    return fetched.map((result) => ({
      kind: result.kind,
      generation: result.generation,
      values: result.values.map(metaDataOf),
      replicas: [],
    }));
  }

  /**
   * For each kind, the held Resource-ID closest to `resourceId` within the arc (from, to] this
   * node answers for: the first at or after it going round the ring (Chord's notion of closeness).
   * Unknown kinds yield none (RFC 6940 §7.4.4.2).
   */
  async find(
    resourceId: ResourceId,
    kinds: readonly number[],
    from: bigint,
    to: bigint,
  ): Promise<FindKindResult[]> {
    if (new Set(kinds).size !== kinds.length) {
      throw new ReloadError(ErrorCode.InvalidMessage, 'a kind appears twice in one Find');
    }
    const now = this.init.now();
    const held = (await this.init.store.range(from, to)).filter((r) =>
      liveValues(r, now).some((v) => v.item.exists),
    );
    return kinds.map((kind) => {
      const ids = held.filter((r) => r.kind === kind).map((r) => r.resourceId);
      return { kind, closest: closestAfter(resourceId, ids) };
    });
  }

  /** Drops expired values from the given records (the periodic sweep); returns how many. */
  async expire(records: readonly KindRecord[]): Promise<number> {
    const now = this.init.now();
    let dropped = 0;
    for (const stale of records) {
      await this.lock.run(stale.resourceId, async () => {
        const record = await this.init.store.read(stale.resourceId, stale.kind);
        if (!record) return;
        const live = liveValues(record, now);
        if (live.length === record.values.length) return;
        dropped += record.values.length - live.length;
        await this.init.store.write([{ ...record, values: live }]);
      });
    }
    return dropped;
  }

  /** The live records held at one resource (for copies to other peers). */
  async recordsAt(resourceId: ResourceId): Promise<KindRecord[]> {
    const now = this.init.now();
    const records = await this.init.store.readResource(resourceId);
    return records.map((r) => ({ ...r, values: liveValues(r, now) })).filter((r) => r.values.length > 0);
  }

  /** Every record held, expired values included (the maintenance pass sorts them out). */
  allRecords(): Promise<KindRecord[]> {
    return this.init.store.range(0n, 0n);
  }

  /**
   * Deletes this peer's copy of a resource once it was handed to its owner, unless a Store changed
   * it meanwhile (`version` as computed by `versionOf` when the copy was sent).
   */
  async dropIfUnchanged(resourceId: ResourceId, version: string): Promise<boolean> {
    return this.lock.run(resourceId, async () => {
      const records = await this.recordsAt(resourceId);
      if (versionOf(records) !== version) return false;
      const held = await this.init.store.readResource(resourceId);
      await this.init.store.write(held.map((r) => ({ ...r, values: [] })));
      return true;
    });
  }

  /** The record after a Store: original stores check and bump the counter, copies merge. */
  private nextRecord(
    resourceId: ResourceId,
    kind: KindDefinition,
    data: StoreKindData,
    current: KindRecord | undefined,
    mode: StoreMode,
    now: number,
  ): KindRecord {
    const generation = current?.generation ?? 0n;
    if (mode === 'original' && data.generation !== 0n && data.generation !== generation) {
      throw new ReloadError(
        ErrorCode.GenerationCounterTooLow,
        `generation counter ${data.generation} does not match the current ${generation}`,
      );
    }
    const values = applyValues(kind, current?.values ?? [], data.values, mode, now);
    // Originals count up; replicas copy the owner's counter (never 0) and never go back.
    const next =
      mode === 'original'
        ? generation + 1n
        : [generation, data.generation, 1n].reduce((a, b) => (a > b ? a : b));
    return { resourceId, kind: kind.id, generation: next > UINT64_MAX ? UINT64_MAX : next, values };
  }

  /** The part of a copied kind that passes every check; nothing for an unknown kind. */
  private acceptableCopies(
    resourceId: ResourceId,
    data: StoreKindData,
    now: number,
  ): { kind: KindDefinition; data: StoreKindData }[] {
    const kind = this.init.kinds.get(data.kind);
    if (!kind) return [];
    const values = data.values.filter((value) => {
      try {
        this.checkValue(resourceId, kind, value, now);
        return true;
      } catch (error) {
        if (error instanceof ReloadError) return false;
        throw error;
      }
    });
    return [{ kind, data: { ...data, values } }];
  }

  /**
   * The current record before a write. A record the store cannot decode any more is replaced, not
   * kept forever: otherwise no Store could ever repair that (resource, kind).
   */
  private async readForUpdate(resourceId: ResourceId, kind: number): Promise<KindRecord | undefined> {
    try {
      return await this.init.store.read(resourceId, kind);
    } catch (error) {
      if (error instanceof StorageError && error.code === 'CORRUPT_RECORD') return undefined;
      throw error;
    }
  }

  private checkKindData(
    resourceId: ResourceId,
    data: StoreKindData,
    now: number,
  ): { kind: KindDefinition; data: StoreKindData } {
    const kind = this.kindOf(data.kind);
    for (const value of data.values) this.checkValue(resourceId, kind, value, now);
    return { kind, data };
  }

  private checkValue(resourceId: ResourceId, kind: KindDefinition, value: StoredValue, now: number): void {
    if (value.item.model !== kind.dataModel) {
      throw new ReloadError(
        ErrorCode.InvalidMessage,
        `kind ${kind.id} is ${kind.dataModel}, not ${value.item.model}`,
      );
    }
    if (value.item.value.length > kind.maxSize) {
      throw new ReloadError(
        ErrorCode.DataTooLarge,
        `a value of ${value.item.value.length} bytes exceeds max-size ${kind.maxSize} of kind ${kind.id}`,
      );
    }
    const at = this.init.certificateTime?.() ?? now;
    const signer = verifyValue(resourceId, kind.id, value, this.init.trust, at, this.init.verifiedValues);
    if (!signer)
      throw new ReloadError(
        ErrorCode.Forbidden,
        'a value signature does not verify with a trusted certificate',
      );
    if (!isAuthorized(kind, resourceId, value.item, signer, this.init.kinds.policySettings)) {
      throw new ReloadError(
        ErrorCode.Forbidden,
        `${signer.userName ?? 'the signer'} may not store kind ${kind.id} (${kind.accessControl}) at this resource`,
      );
    }
  }

  private kindOf(id: number): KindDefinition {
    const kind = this.init.kinds.get(id);
    if (!kind) throw new ReloadError(ErrorCode.UnknownKind, `unknown kind ${id}`);
    return kind;
  }
}

/** A short fingerprint of what is held at a resource: changes whenever a Store changes it. */
export function versionOf(records: readonly KindRecord[]): string {
  return records
    .map((r) => {
      let newest = 0n;
      for (const v of r.values) if (v.storageTimeMs > newest) newest = v.storageTimeMs;
      return `${r.kind}:${r.generation}:${r.values.length}:${newest}`;
    })
    .sort()
    .join(',');
}

/** The values of a record that have not expired. */
export function liveValues(record: KindRecord | undefined, now: number): HeldValue[] {
  return record ? record.values.filter((v) => v.expiresAtMs > now) : [];
}

/**
 * A held value as sent onward: its lifetime shortened by the time it was held (RFC 6940 §10.7),
 * rounded down so that copies never outlive the original.
 */
export function withRemainingLifetime(value: HeldValue, now: number): HeldValue {
  const lifetimeS = Math.max(0, Math.floor((value.expiresAtMs - now) / 1000));
  return { ...value, lifetimeS };
}

function metaDataOf(value: StoredValue): StoredMetaData {
  return {
    storageTimeMs: value.storageTimeMs,
    lifetimeS: value.lifetimeS,
    item: { ...value.item, value: new Uint8Array(0) },
    valueLength: value.item.value.length,
    hashAlgorithm: HASH_ALGORITHM_SHA256,
    hash: valueHash(value.item.value),
  };
}

function closestAfter(target: bigint, ids: readonly bigint[]): ResourceId | undefined {
  let best: bigint | undefined;
  let bestDistance = 0n;
  for (const id of ids) {
    const distance = (id - target + (1n << 128n)) % (1n << 128n);
    if (best === undefined || distance < bestDistance) [best, bestDistance] = [id, distance];
  }
  return best === undefined ? undefined : resourceIdFromBigInt(best);
}

export { inArc };
