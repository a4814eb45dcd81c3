import {
  type NodeId,
  RING_SIZE,
  idToBytes,
  idToHex,
  nodeMultipleResourceId,
  randomNodeId,
  resourceIdFromBytes,
} from '@p2psip/identity';
import {
  RedirLookupCache,
  type RedirFetchPort,
  RedirTree,
  TURN_SERVER_NAMESPACE,
  lookupProvider,
} from '@p2psip/redir';
import { callUnary } from '@p2psip/rpc';
import type { Attachment } from '../storage/attachment';
import type { StorageClient, ValueReport } from '../storage/storage-client';
import { decodeTurnServer } from './turn-server-value';

export const TURN_SERVICE_KIND = 0x2;
/** TURN-SERVICE positions fetched together while reading a provider's relays. */
const POSITIONS_PER_BATCH = 4;
/** Providers one walk visits at most (each one is a lookup, usually answered from the cache). */
const MAX_PROVIDERS = 16;

export interface OverlayRelay {
  readonly address: string;
  /** How it was found: a ReDiR lookup (then its provider's TURN-SERVICE), or Find at a random id. */
  readonly method: 'redir' | 'find';
  /** redir: the provider's Node-ID (the relay service that advertises it). */
  readonly provider?: string;
  /** Where it was found: the TURN-SERVICE Resource-ID, and who signed it. */
  readonly resourceId: string;
  readonly signer: string | null;
  readonly lifetimeS: number;
  readonly storedAt: string;
}

/** What the ReDiR part did: lookups made, tree nodes fetched, providers found (or why it was skipped). */
export type RedirReport =
  | { readonly lookups: number; readonly fetches: number; readonly providers: readonly string[] }
  | { readonly skipped: string };

export interface OverlayRelaysInit {
  readonly attachment: Attachment;
  readonly storage: StorageClient;
  /** ReDiR's Fetch, or undefined when the overlay has no REDIR kind or ReDiR is turned off. */
  readonly redir?:
    { readonly port: RedirFetchPort; readonly branchingFactor: number } | { readonly skipped: string };
  readonly count: number;
  /** Finds at random ids before giving up (the fallback). */
  readonly attempts: number;
  readonly timeoutMs: number;
}

/**
 * Relays from the overlay, without the relay service. First ReDiR (RFC 7374): look up the
 * `turn-server` provider closest after the client's own Node-ID, read its TURN-SERVICE values at
 * H(provider ‖ d), and go on to the next provider after it until `count` relays or the walk comes
 * round. Only if that finds nothing, RFC 6940 §9.2's scheme: Find TURN-SERVICE at random
 * Resource-IDs and Fetch the closest one the responder holds. Every fetched value is verified by
 * the client (signature, certificate, access policy).
 */
export async function findRelaysInOverlay(
  init: OverlayRelaysInit,
): Promise<{ relays: OverlayRelay[]; redir: RedirReport; finds: number }> {
  const found = new Map<string, OverlayRelay>();
  let redir: RedirReport;
  if (!init.redir || 'skipped' in init.redir) {
    redir = { skipped: init.redir?.skipped ?? 'turned off' };
  } else {
    try {
      redir = await findThroughRedir(init, init.redir, found);
    } catch (error) {
      redir = { skipped: `lookup failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  const finds = found.size === 0 ? await findAtRandomIds(init, found) : 0;
  return { relays: [...found.values()], redir, finds };
}

async function findThroughRedir(
  init: OverlayRelaysInit,
  redir: { readonly port: RedirFetchPort; readonly branchingFactor: number },
  found: Map<string, OverlayRelay>,
): Promise<RedirReport> {
  const tree = new RedirTree({ namespace: TURN_SERVER_NAMESPACE, branchingFactor: redir.branchingFactor });
  const cache = new RedirLookupCache();
  const providers: NodeId[] = [];
  let key: bigint = init.attachment.clientNodeId;
  let lookups = 0;
  let fetches = 0;
  while (found.size < init.count && providers.length < MAX_PROVIDERS) {
    const result = await lookupProvider(redir.port, tree, key, { cache });
    lookups++;
    fetches += result.fetches;
    const provider = result.provider?.id;
    // Round the ring back to a provider already read: there are no others.
    if (provider === undefined || providers.includes(provider)) break;
    providers.push(provider);
    await readProviderRelays(init, provider, found);
    key = (provider + 1n) % RING_SIZE;
  }
  return { lookups, fetches, providers: providers.map(idToHex) };
}

/**
 * A relay service stores relay i at d = i·density+1 … (i+1)·density, so its positions fill from
 * d = 1 up; a batch where nothing was ever stored (not even a removal) is past its last relay.
 */
async function readProviderRelays(
  init: OverlayRelaysInit,
  provider: NodeId,
  found: Map<string, OverlayRelay>,
): Promise<void> {
  const kind = init.storage.kind(String(TURN_SERVICE_KIND));
  const positions = kind.maxNodeMultiple ?? 0;
  for (let first = 1; first <= positions && found.size < init.count; first += POSITIONS_PER_BATCH) {
    const batch = Array.from(
      { length: Math.min(POSITIONS_PER_BATCH, positions - first + 1) },
      (_, i) => first + i,
    );
    const results = await Promise.all(
      batch.map((d) => init.storage.fetch(nodeMultipleResourceId(provider, d), kind, {})),
    );
    for (const result of results) {
      for (const value of result.values) {
        if (found.size >= init.count) break;
        addRelay(found, value, result.resourceId, { method: 'redir', provider: idToHex(provider) });
      }
    }
    const nothingStored = results.every((result) =>
      result.values.every((v) => !v.exists && v.signer === null),
    );
    if (nothingStored) break;
  }
}

async function findAtRandomIds(init: OverlayRelaysInit, found: Map<string, OverlayRelay>): Promise<number> {
  const kind = init.storage.kind(String(TURN_SERVICE_KIND));
  const fetched = new Set<string>();
  let finds = 0;
  while (found.size < init.count && finds < init.attempts) {
    finds++;
    const answer = await callUnary(
      init.attachment.client,
      'find',
      { resourceId: idToBytes(randomNodeId()), kinds: [TURN_SERVICE_KIND] },
      { timeoutMs: init.timeoutMs },
    );
    const closest = answer.results.find((result) => result.kind === TURN_SERVICE_KIND)?.closestResourceId;
    if (!closest || closest.length !== 16) continue;
    const resourceId = resourceIdFromBytes(closest);
    if (fetched.has(idToHex(resourceId))) continue;
    fetched.add(idToHex(resourceId));
    const result = await init.storage.fetch(resourceId, kind, {});
    for (const value of result.values) addRelay(found, value, result.resourceId, { method: 'find' });
  }
  return finds;
}

function addRelay(
  found: Map<string, OverlayRelay>,
  value: ValueReport,
  resourceId: string,
  how: { method: 'redir' | 'find'; provider?: string },
): void {
  if (!value.exists) return;
  const turn = decodeTurnServer(Buffer.from(value.valueHex, 'hex'));
  if (!turn || found.has(turn.address)) return;
  found.set(turn.address, {
    address: turn.address,
    ...how,
    resourceId,
    signer: value.signer,
    lifetimeS: value.lifetime,
    storedAt: new Date(value.storageTime).toISOString(),
  });
}
