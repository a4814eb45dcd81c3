// The store keys records by these texts, so two spellings of one id (upper case, leading zeros)
// would be two keys and break uniqueness. Checking the format here is cheaper than finding out later.

const NODE_ID = /^[0-9a-f]{32}$/;
const SERIAL = /^(0|[1-9a-f][0-9a-f]*)$/;

/** Throws RangeError unless `nodeId` is 32 lower-case hex digits. */
export function assertNodeId(nodeId: string): void {
  if (!NODE_ID.test(nodeId)) throw new RangeError(`Node-ID must be 32 lower-case hex digits, got ${nodeId}`);
}

/** Throws RangeError unless `serialNumber` is lower-case hex without leading zeros. */
export function assertSerialNumber(serialNumber: string): void {
  if (!SERIAL.test(serialNumber)) {
    throw new RangeError(`serial must be lower-case hex without leading zeros, got ${serialNumber}`);
  }
}
