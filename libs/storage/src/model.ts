import type { ResourceId } from '@p2psip/identity';
import type { DataModel, Signature } from '@p2psip/overlay-config';

export type { DataModel, Signature };

/** Array index that means "after the last element" in a Store (RFC 6940 §7.2.2). */
export const APPEND_INDEX = 0xffffffff;
/** Largest uint32 and uint64, the RELOAD field widths of lifetime and storage_time. */
export const UINT32_MAX = 0xffffffff;
export const UINT64_MAX = (1n << 64n) - 1n;

/** DataValue (RFC 6940 §7.2.1): `exists = false` marks a removed (or never written) value. */
export interface DataValue {
  readonly exists: boolean;
  readonly value: Uint8Array;
}

/** One stored item in the shape of its kind's data model (RFC 6940 §7.2). */
export type StoredItem =
  | ({ readonly model: 'SINGLE' } & DataValue)
  | ({ readonly model: 'ARRAY'; readonly index: number } & DataValue)
  | ({ readonly model: 'DICTIONARY'; readonly key: Uint8Array } & DataValue);

/**
 * StoredData (RFC 6940 §7) as the storage rules see it: the signed value, and the signer's
 * certificate so that whoever holds the value can verify it (on the wire the certificate travels
 * in the message's SecurityBlock, once per signer).
 */
export interface StoredValue {
  /** Milliseconds since 1970 UTC, set by the storing user; must grow with every replacement. */
  readonly storageTimeMs: bigint;
  /** Seconds the value lives, counted from receipt. */
  readonly lifetimeS: number;
  readonly item: StoredItem;
  readonly signature: Signature;
  /** DER of the signer's certificate (the one the signature's cert_hash names). */
  readonly certificate: Uint8Array;
}

/** A value as a peer holds it: the StoredValue plus when it expires on this peer's clock. */
export interface HeldValue extends StoredValue {
  /** Local clock, ms: receipt time + lifetime. */
  readonly expiresAtMs: number;
}

/** Everything stored under one (Resource-ID, Kind-ID): the unit the backends read and write. */
export interface KindRecord {
  readonly resourceId: ResourceId;
  readonly kind: number;
  /** Generation counter (RFC 6940 §7.4.1): ≥ 1 once anything was stored. */
  readonly generation: bigint;
  /** SINGLE: at most one; ARRAY: ascending index; DICTIONARY: ascending key bytes. */
  readonly values: readonly HeldValue[];
}

/** Which values of a kind a Fetch or Stat selects (StoredDataSpecifier, RFC 6940 §7.4.2.1). */
export type ValueSelector =
  | { readonly model: 'SINGLE' }
  /** Inclusive ranges; `last = APPEND_INDEX` means up to the last element. */
  | { readonly model: 'ARRAY'; readonly ranges: readonly { first: number; last: number }[] }
  /** No keys = every key (wildcard). */
  | { readonly model: 'DICTIONARY'; readonly keys: readonly Uint8Array[] };

export interface StoredDataSpecifier {
  readonly kind: number;
  /** The generation the requester holds; equal to the current one → values omitted. 0 = none. */
  readonly generation: bigint;
  readonly selector: ValueSelector;
}

/** Identity of an item inside its kind: the array index or the dictionary key (hex). */
export function itemSlot(item: StoredItem): string {
  if (item.model === 'ARRAY') return String(item.index);
  if (item.model === 'DICTIONARY') return Buffer.from(item.key).toString('hex');
  return '';
}
