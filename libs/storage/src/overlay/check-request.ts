import { ErrorCode, ReloadError } from '@p2psip/overlay';
import type { StorageRequestBody } from './messages';

/** Most kinds one request may name; RELOAD has a handful of kinds per usage. */
const MAX_KINDS_PER_REQUEST = 32;
/** Most values in one Store, over all its kinds; max-count of any sane kind is far below. */
const MAX_VALUES_PER_STORE = 1024;
const MAX_ID = (1n << 128n) - 1n;

/**
 * Shape checks on a decoded storage body before the rules see it: bodies from the wire are built
 * by the codec, but a peer must not trust the other end's encoder (Error_Invalid_Message).
 */
export function checkStorageRequest<B extends StorageRequestBody>(body: B): B {
  const bad = (why: string): never => {
    throw new ReloadError(ErrorCode.InvalidMessage, `malformed ${body.type}: ${why}`);
  };
  if (typeof body.resourceId !== 'bigint' || body.resourceId < 0n || body.resourceId > MAX_ID) {
    bad('Resource-ID is not 128 bits');
  }
  const kinds =
    body.type === 'store_req'
      ? body.kindData.map((k) => k.kind)
      : body.type === 'find_req'
        ? body.kinds
        : body.specifiers.map((s) => s.kind);
  if (!Array.isArray(kinds) || kinds.length > MAX_KINDS_PER_REQUEST)
    bad(`more than ${MAX_KINDS_PER_REQUEST} kinds`);
  if (kinds.some((k) => !Number.isInteger(k) || k < 0 || k > 0xffffffff)) bad('a Kind-ID is not a uint32');
  if (body.type === 'store_req') {
    if (!Number.isInteger(body.replicaNumber) || body.replicaNumber < 0 || body.replicaNumber > 0xff) {
      bad('replica_number is not a uint8');
    }
    if (body.kindData.some((k) => !Array.isArray(k.values))) bad('values are not a list');
    // Each value costs a signature check: bound the whole request, not each kind.
    const total = body.kindData.reduce((sum, k) => sum + k.values.length, 0);
    if (total > MAX_VALUES_PER_STORE) bad(`more than ${MAX_VALUES_PER_STORE} values in one Store`);
  }
  return body;
}
