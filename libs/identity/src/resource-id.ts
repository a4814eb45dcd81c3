import { createHash } from 'node:crypto';
import { InvalidResourceNameError } from './errors';
import { ID_BYTES, type ResourceId, resourceIdFromBytes } from './ring-id';

const SIP_SCHEME = /^sips?:/i;

/**
 * The Resource-ID of a resource name: the most significant 128 bits of SHA-1 over its bytes
 * (RFC 6940 §10.2). Strings are hashed as UTF-8 exactly as given; use {@link resourceIdOfName}
 * for names that may be SIP AORs.
 */
export function resourceIdOf(name: string | Uint8Array): ResourceId {
  const digest = createHash('sha1').update(name).digest();
  return resourceIdFromBytes(digest.subarray(0, ID_BYTES));
}

/**
 * The resource name of a SIP AOR (DESIGN.md §3, RFC 7904 §3): the URI without its scheme,
 * parameters or headers, percent-decoded, with the host lower-cased and the user part kept as
 * written. `sip:Alice@DHT.example.com;transport=tcp` → `Alice@dht.example.com`.
 */
export function normalizeAor(aor: string): string {
  const trimmed = aor.trim();
  const withoutScheme = trimmed.replace(SIP_SCHEME, '');
  const withoutHeaders = withoutScheme.split('?', 1)[0] ?? '';
  const at = withoutHeaders.lastIndexOf('@');
  if (at <= 0) {
    throw new InvalidResourceNameError(`a SIP AOR needs user@host, got ${JSON.stringify(aor)}`);
  }
  const user = decode(withoutHeaders.slice(0, at), aor);
  // URI parameters follow the host (";transport=tcp"); a ';' in the user part is legal and kept.
  const hostPart = withoutHeaders.slice(at + 1).split(';', 1)[0] ?? '';
  const host = decode(hostPart, aor).toLowerCase();
  if (host.length === 0 || /\s/.test(host) || /\s/.test(user)) {
    throw new InvalidResourceNameError(`a SIP AOR needs a user and a host, got ${JSON.stringify(aor)}`);
  }
  return `${user}@${host}`;
}

function decode(part: string, whole: string): string {
  try {
    return decodeURIComponent(part);
  } catch (cause) {
    throw new InvalidResourceNameError(`bad percent-escape in ${JSON.stringify(whole)}`, { cause });
  }
}

/** True when a name is to be treated as a SIP AOR: a sip:/sips: URI or a bare user@host. */
export function looksLikeAor(name: string): boolean {
  return SIP_SCHEME.test(name.trim()) || name.includes('@');
}

/**
 * The resource name for user input that is either an AOR (normalised) or an opaque name (kept
 * byte for byte), as `p2psip resource-id` and the storage CLI take it.
 */
export function resourceNameOf(input: string): string {
  if (input.length === 0) throw new InvalidResourceNameError('a resource name must not be empty');
  return looksLikeAor(input) ? normalizeAor(input) : input;
}

/** Resource-ID of user input that may be an AOR: {@link resourceNameOf} then {@link resourceIdOf}. */
export function resourceIdOfName(input: string): ResourceId {
  return resourceIdOf(resourceNameOf(input));
}
