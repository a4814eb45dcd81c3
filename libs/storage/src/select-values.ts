import { ErrorCode, ReloadError } from '@p2psip/overlay';
import type { KindDefinition } from './kinds';
import { APPEND_INDEX, type HeldValue, type StoredItem, type StoredValue, type ValueSelector } from './model';

/** Most entries one array range may yield; larger ranges are a request for a denial of service. */
export const MAX_SELECTED_ENTRIES = 1024;

const NO_SIGNATURE = {
  algorithm: { hash: 0, signature: 0 },
  identity: { type: 'none' as const },
  value: new Uint8Array(0),
};

/**
 * A synthetic "nothing here" value (RFC 6940 §7.4.2.2): exists = false, identity none and
 * algorithm {0,0}, for gaps in arrays and unknown keys or singles.
 */
export function syntheticAbsent(item: StoredItem): StoredValue {
  return {
    storageTimeMs: 0n,
    lifetimeS: 0,
    item: { ...item, exists: false, value: new Uint8Array(0) },
    signature: NO_SIGNATURE,
    certificate: new Uint8Array(0),
  };
}

export function isSyntheticAbsent(value: StoredValue): boolean {
  return value.signature.identity.type === 'none' && !value.item.exists && value.item.value.length === 0;
}

/** The values a selector picks from the live values of one kind, with synthetic gaps. */
export function selectValues(
  kind: KindDefinition,
  live: readonly HeldValue[],
  selector: ValueSelector,
): StoredValue[] {
  if (selector.model !== kind.dataModel) {
    throw new ReloadError(
      ErrorCode.InvalidMessage,
      `kind ${kind.id} is ${kind.dataModel}, not ${selector.model}`,
    );
  }
  if (selector.model === 'SINGLE')
    return [live[0] ?? syntheticAbsent({ model: 'SINGLE', exists: false, value: new Uint8Array(0) })];
  if (selector.model === 'DICTIONARY') {
    if (selector.keys.length === 0) return [...live];
    if (selector.keys.length > MAX_SELECTED_ENTRIES) {
      throw new ReloadError(
        ErrorCode.ResponseTooLarge,
        `more than ${MAX_SELECTED_ENTRIES} dictionary keys selected`,
      );
    }
    if (new Set(selector.keys.map((k) => Buffer.from(k).toString('hex'))).size !== selector.keys.length) {
      throw new ReloadError(ErrorCode.InvalidMessage, 'a dictionary key is selected twice');
    }
    const byKey = new Map(live.map((v) => [slotKey(v.item), v]));
    return selector.keys.map(
      (key) =>
        byKey.get(Buffer.from(key).toString('hex')) ??
        syntheticAbsent({ model: 'DICTIONARY', key, exists: false, value: new Uint8Array(0) }),
    );
  }
  return selectArray(live, selector.ranges);
}

function selectArray(
  live: readonly HeldValue[],
  ranges: readonly { first: number; last: number }[],
): StoredValue[] {
  const byIndex = new Map<number, HeldValue>();
  let last = -1;
  for (const v of live) {
    if (v.item.model !== 'ARRAY') continue;
    byIndex.set(v.item.index, v);
    last = Math.max(last, v.item.index);
  }
  const out: StoredValue[] = [];
  const seen = new Set<number>();
  for (const range of ranges) {
    if (range.last !== APPEND_INDEX && range.first > range.last) {
      throw new ReloadError(
        ErrorCode.InvalidMessage,
        `array range ${range.first}..${range.last} is reversed`,
      );
    }
    // Past the last element there is nothing, not even gaps to synthesise.
    const end = range.last === APPEND_INDEX ? last : Math.min(range.last, last);
    for (let i = range.first; i <= end; i++) {
      if (seen.has(i)) throw new ReloadError(ErrorCode.InvalidMessage, 'array ranges overlap');
      seen.add(i);
      if (out.length >= MAX_SELECTED_ENTRIES) {
        throw new ReloadError(
          ErrorCode.ResponseTooLarge,
          `more than ${MAX_SELECTED_ENTRIES} array entries selected`,
        );
      }
      out.push(
        byIndex.get(i) ??
          syntheticAbsent({ model: 'ARRAY', index: i, exists: false, value: new Uint8Array(0) }),
      );
    }
  }
  return out;
}

function slotKey(item: StoredItem): string {
  return item.model === 'DICTIONARY' ? Buffer.from(item.key).toString('hex') : '';
}
