import { ReloadError, ErrorCode } from '@p2psip/overlay';
import type { KindDefinition } from './kinds';
import { APPEND_INDEX, type HeldValue, type StoredValue, itemSlot } from './model';

/** How a batch of values meets what is held (RFC 6940 §7.4.1.1 and §10.7 replication). */
export type StoreMode =
  /** A user's store at the responsible peer: a value not newer than the held one fails the Store. */
  | 'original'
  /** Replication and migration between peers: a value not newer than the held one is skipped. */
  | 'replica';

/**
 * The values of one kind after applying a Store: single overwrites, arrays store at their index
 * (append = after the last), dictionaries per key. Expired values are pruned first. Throws
 * ReloadError(Error_Data_Too_Old) in original mode, Error_Data_Too_Large past max-count.
 */
export function applyValues(
  kind: KindDefinition,
  held: readonly HeldValue[],
  incoming: readonly StoredValue[],
  mode: StoreMode,
  nowMs: number,
): HeldValue[] {
  const bySlot = new Map<string, HeldValue>();
  for (const value of held) if (value.expiresAtMs > nowMs) bySlot.set(itemSlot(value.item), value);
  let nextIndex = nextArrayIndex(bySlot.values());
  for (const value of incoming) {
    const placed = placeAppend(value, nextIndex);
    if (placed.item.model === 'ARRAY') nextIndex = Math.max(nextIndex, placed.item.index + 1);
    const slot = itemSlot(placed.item);
    const current = bySlot.get(slot);
    // RFC 6940 §7.4.1.1 says "before"; §13.5.3 says "smaller than or equal": equal is too old.
    if (current && placed.storageTimeMs <= current.storageTimeMs) {
      if (mode === 'original') {
        throw new ReloadError(
          ErrorCode.DataTooOld,
          `storage_time ${placed.storageTimeMs} is not newer than the stored value's`,
        );
      }
      continue;
    }
    let expiresAtMs = nowMs + placed.lifetimeS * 1000;
    // A removal lives at least as long as what it removed (RFC 6940 §7.4.1.1): otherwise a stale
    // copy of the old value, arriving after the marker expired, would bring it back.
    if (current && !placed.item.exists) expiresAtMs = Math.max(expiresAtMs, current.expiresAtMs);
    bySlot.set(slot, { ...placed, expiresAtMs });
  }
  const values = [...bySlot.values()].sort(compareSlots);
  checkCount(kind, values);
  return values;
}

/** An append (index 0xFFFFFFFF) lands after the highest index held or stored so far. */
function placeAppend(value: StoredValue, nextIndex: number): StoredValue {
  if (value.item.model !== 'ARRAY' || value.item.index !== APPEND_INDEX) return value;
  return { ...value, item: { ...value.item, index: nextIndex } };
}

function nextArrayIndex(values: Iterable<HeldValue>): number {
  let next = 0;
  for (const v of values) if (v.item.model === 'ARRAY') next = Math.max(next, v.item.index + 1);
  return next;
}

function checkCount(kind: KindDefinition, values: readonly HeldValue[]): void {
  if (kind.dataModel === 'ARRAY') {
    // A sparse array counts up to its highest index: the gaps are (synthetic) entries too.
    const length = nextArrayIndex(values);
    if (length > kind.maxCount) {
      throw new ReloadError(
        ErrorCode.DataTooLarge,
        `array length ${length} exceeds max-count ${kind.maxCount}`,
      );
    }
    return;
  }
  const live = values.filter((v) => v.item.exists).length;
  // Removal markers live out their lifetime; bound them too, so deletes cannot grow a resource.
  if (live > kind.maxCount || values.length > 2 * kind.maxCount) {
    throw new ReloadError(
      ErrorCode.DataTooLarge,
      `more than max-count ${kind.maxCount} values for kind ${kind.id}`,
    );
  }
}

function compareSlots(a: HeldValue, b: HeldValue): number {
  if (a.item.model === 'ARRAY' && b.item.model === 'ARRAY') return a.item.index - b.item.index;
  if (a.item.model === 'DICTIONARY' && b.item.model === 'DICTIONARY') {
    return Buffer.compare(Buffer.from(a.item.key), Buffer.from(b.item.key));
  }
  return 0;
}
