import { normalizeAor } from '@p2psip/identity';
import { SipUsageError } from './errors';
import { type SipRegistration, decodeSipRegistration } from './sip-registration';

/** One verified dictionary entry of SIP-REGISTRATION as a fetch returned it. */
export interface FetchedRegistration {
  /** The dictionary key: the registering node's 16-byte Node-ID. */
  readonly key: Uint8Array;
  readonly exists: boolean;
  readonly value: Uint8Array;
  readonly storageTimeMs: number;
  /**
   * Seconds left, as the answering peer counts them: a fetched value's lifetime is counted from
   * its receipt (RFC 6940 §7.4.2, §10.7), so the peer has already taken off the time it held it.
   */
  readonly lifetimeS: number;
  /** The signer's user name (already verified by the fetcher), if known. */
  readonly signer: string | null;
}

/** Where registrations come from: a wildcard dictionary Fetch at H(resource name), verified. */
export interface RegistrationSource {
  fetch(
    resourceName: string,
    options: { signal?: AbortSignal },
  ): Promise<{ readonly entries: readonly FetchedRegistration[]; readonly dropped: number }>;
}

export interface ResolveInit {
  /** URI forwards followed from the asked AOR before giving up. @default 8 */
  readonly maxHops?: number;
  /** AORs fetched in all, so a value forking to many AORs cannot make one lookup unbounded. @default 32 */
  readonly maxAors?: number;
}

export const DEFAULT_MAX_HOPS = 8;
export const DEFAULT_MAX_AORS = 32;

/** What a lookup meets, in order. `aor`s are resource names (no scheme, host lower-cased). */
export type ResolveEvent =
  | { readonly type: 'aor'; readonly aor: string; readonly hop: number; readonly dropped: number }
  | RegistrationEntry
  | { readonly type: 'forward'; readonly from: string; readonly to: string; readonly hop: number }
  /** A forward back to an AOR already on this path (alice → bob → alice): not followed. */
  | { readonly type: 'loop'; readonly from: string; readonly to: string; readonly path: readonly string[] }
  /** A forward past maxHops (or maxAors): not followed. */
  | { readonly type: 'hop-limit'; readonly from: string; readonly to: string; readonly hop: number }
  /** A forward to something that is not a SIP AOR of an overlay (tel:, http:, …). */
  | { readonly type: 'not-followed'; readonly from: string; readonly uri: string; readonly reason: string };

export interface RegistrationEntry {
  readonly type: 'entry';
  readonly aor: string;
  readonly hop: number;
  /** The dictionary key as hex: the registering node's Node-ID. */
  readonly nodeId: string;
  /** The decoded value, or why it could not be decoded. */
  readonly registration: SipRegistration | undefined;
  readonly error?: { readonly code: string; readonly message: string };
  readonly remainingS: number;
  readonly signer: string | null;
}

/**
 * Looks an AOR up (RFC 7904 §4.3): fetches its live registrations, then follows each URI value to
 * that AOR, breadth first. A forward to an AOR already on its own path is a loop and is reported,
 * not followed; an AOR reached twice by different paths is fetched once. Removed
 * (exists = false) entries are skipped.
 */
export async function* resolveRegistrations(
  aor: string,
  source: RegistrationSource,
  init: ResolveInit = {},
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<ResolveEvent> {
  const maxHops = init.maxHops ?? DEFAULT_MAX_HOPS;
  const maxAors = init.maxAors ?? DEFAULT_MAX_AORS;
  const start = normalizeAor(aor);
  const seen = new Set([start]);
  const queue: { aor: string; path: readonly string[] }[] = [{ aor: start, path: [start] }];
  for (let item = queue.shift(); item; item = queue.shift()) {
    options.signal?.throwIfAborted();
    const hop = item.path.length - 1;
    const { entries, dropped } = await source.fetch(item.aor, options);
    yield { type: 'aor', aor: item.aor, hop, dropped };
    for (const fetched of entries) {
      // Peers answer only live values; removals (exists = false) are not registrations.
      if (!fetched.exists) continue;
      const entry = decodeEntry(item.aor, hop, fetched);
      yield entry;
      if (entry.registration?.type !== 'uri') continue;
      const uri = entry.registration.uri;
      const target = forwardTarget(uri);
      if (typeof target !== 'string') {
        yield { type: 'not-followed', from: item.aor, uri, reason: target.reason };
      } else if (item.path.includes(target)) {
        yield { type: 'loop', from: item.aor, to: target, path: [...item.path, target] };
      } else if (seen.has(target)) {
        // Reached before by another path: its entries are already in the answer.
      } else if (hop + 1 > maxHops || seen.size >= maxAors) {
        yield { type: 'hop-limit', from: item.aor, to: target, hop: hop + 1 };
      } else {
        seen.add(target);
        queue.push({ aor: target, path: [...item.path, target] });
        yield { type: 'forward', from: item.aor, to: target, hop: hop + 1 };
      }
    }
  }
}

export interface Resolution {
  readonly aor: string;
  /** Every live entry met, forwarding ones included, in lookup order. */
  readonly entries: readonly RegistrationEntry[];
  /** Entries with a destination list: how to reach the AOR's devices. */
  readonly routes: number;
  readonly forwards: readonly { from: string; to: string; hop: number }[];
  readonly loops: readonly { from: string; to: string; path: readonly string[] }[];
  readonly hopLimits: readonly { from: string; to: string; hop: number }[];
  readonly notFollowed: readonly { from: string; uri: string; reason: string }[];
  /** Values the fetcher dropped (bad signature or access policy) across all AORs. */
  readonly dropped: number;
}

/** {@link resolveRegistrations} collected into one answer. */
export async function resolveAor(
  aor: string,
  source: RegistrationSource,
  init: ResolveInit = {},
  options: { signal?: AbortSignal } = {},
): Promise<Resolution> {
  const entries: RegistrationEntry[] = [];
  const forwards: Resolution['forwards'][number][] = [];
  const loops: Resolution['loops'][number][] = [];
  const hopLimits: Resolution['hopLimits'][number][] = [];
  const notFollowed: Resolution['notFollowed'][number][] = [];
  let dropped = 0;
  for await (const event of resolveRegistrations(aor, source, init, options)) {
    switch (event.type) {
      case 'aor':
        dropped += event.dropped;
        break;
      case 'entry':
        entries.push(event);
        break;
      case 'forward':
        forwards.push({ from: event.from, to: event.to, hop: event.hop });
        break;
      case 'loop':
        loops.push({ from: event.from, to: event.to, path: event.path });
        break;
      case 'hop-limit':
        hopLimits.push({ from: event.from, to: event.to, hop: event.hop });
        break;
      case 'not-followed':
        notFollowed.push({ from: event.from, uri: event.uri, reason: event.reason });
        break;
    }
  }
  return {
    aor: normalizeAor(aor),
    entries,
    routes: entries.filter((e) => e.registration?.type === 'route').length,
    forwards,
    loops,
    hopLimits,
    notFollowed,
    dropped,
  };
}

function decodeEntry(aor: string, hop: number, fetched: FetchedRegistration): RegistrationEntry {
  const base = {
    type: 'entry' as const,
    aor,
    hop,
    nodeId: Buffer.from(fetched.key).toString('hex'),
    remainingS: fetched.lifetimeS,
    signer: fetched.signer,
  };
  try {
    return { ...base, registration: decodeSipRegistration(fetched.value) };
  } catch (error) {
    // A bad value is one entry's problem, reported with it; the lookup goes on.
    if (!(error instanceof SipUsageError)) throw error;
    return { ...base, registration: undefined, error: { code: error.code, message: error.message } };
  }
}

/** The resource name a forwarding URI points at, or why it is not followed. */
function forwardTarget(uri: string): string | { reason: string } {
  if (!/^sips?:/i.test(uri.trim())) return { reason: 'not a sip: or sips: URI' };
  try {
    return normalizeAor(uri);
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) };
  }
}
