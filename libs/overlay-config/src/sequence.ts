// Configuration sequence numbers (RFC 6940 §11.1): 0..65534, increasing modulo 65535, so 0 follows
// 65534. 65535 never names a document; on the wire (a ConfigUpdate's configuration_sequence) it
// means "accept whatever this is", which is why it compares as newer than everything.

/** The largest sequence a document may carry. */
export const MAX_SEQUENCE = 65534;
/** The number of distinct document sequences, the modulus of the comparison. */
export const SEQUENCE_MODULUS = MAX_SEQUENCE + 1;
/** The wire value that is always accepted. */
export const ALWAYS_ACCEPTED_SEQUENCE = 65535;

/** Half the circle: a candidate up to this far ahead is newer, further ahead counts as older. */
const NEWER_WINDOW = Math.floor(SEQUENCE_MODULUS / 2);

export function isValidSequence(sequence: number): boolean {
  return Number.isInteger(sequence) && sequence >= 0 && sequence <= MAX_SEQUENCE;
}

/**
 * Serial-number comparison (the RFC 1982 idea, with modulus 65535): `candidate` is newer when it
 * lies 1..32767 steps after `current`. Without a window, wrap-around could not be told apart from
 * a replay of an old document.
 */
export function isNewerSequence(candidate: number, current: number): boolean {
  if (candidate === ALWAYS_ACCEPTED_SEQUENCE) return true;
  if (!isValidSequence(candidate) || !isValidSequence(current)) return false;
  const distance = (candidate - current + SEQUENCE_MODULUS) % SEQUENCE_MODULUS;
  return distance >= 1 && distance <= NEWER_WINDOW;
}

/** The sequence of the next document to publish. */
export function nextSequence(current: number): number {
  return (current + 1) % SEQUENCE_MODULUS;
}
