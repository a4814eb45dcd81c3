import {
  type CalleeBranch,
  OverlayChannels,
  OverlaySession,
  SipConnection,
  dialApp,
  requestAppAttach,
} from '@p2psip/client-sdk';
import { UsageError } from '@p2psip/cli';
import type { StoredIdentity } from '@p2psip/enrollment-client';
import { nodeIdFromHex } from '@p2psip/identity';
import { APPLICATION_SIP } from '@p2psip/overlay';
import { type RegistrationEntry, resolveAor } from '@p2psip/sip-usage';
import { RegistrationClient } from './registration-client';

/** The CLI's `--peer` / `--bootstrap` / `--device` choice and deadline. */
export interface SessionOptions {
  readonly peer?: string;
  readonly bootstrap?: string;
  /** Which of the certificate's Node-IDs to speak as, 1-based. @default 1 */
  readonly device?: number;
  readonly timeoutMs: number;
}

/** Attaches with an open Connect stream, so requests addressed to us arrive (DESIGN.md §5). */
export function openSession(identity: StoredIdentity, options: SessionOptions): Promise<OverlaySession> {
  const nodeIds = identity.certificate.nodeIds;
  const device = options.device ?? 1;
  const nodeId = nodeIds[device - 1];
  if (nodeId === undefined) {
    return Promise.reject(
      new UsageError(
        `--device ${device}: the certificate holds ${nodeIds.length} Node-ID(s); enroll with --node-ids ${device} for more`,
      ),
    );
  }
  return OverlaySession.open({
    identity,
    nodeId,
    ...(options.peer ? { peer: options.peer } : {}),
    bootstraps: options.bootstrap ? [options.bootstrap] : [],
    timeoutMs: options.timeoutMs,
  });
}

/** What reaching an AOR found: its registered devices, and those that could not be reached. */
export interface ReachedAor {
  readonly aor: string;
  readonly branches: CalleeBranch[];
  readonly unreachable: { nodeId: string; error: string }[];
  /** True when the AOR has no route registration at all (exit code 4). */
  readonly notRegistered: boolean;
}

/**
 * Looks up `aor` (following forwarding) and opens a SIP connection to every registered device:
 * AppAttach along the entry's destination list, then mutual TLS to the answer's candidate with the
 * entry's Node-ID checked (DESIGN.md §6). Devices that fail are reported, not fatal.
 */
export async function reachAor(
  session: OverlaySession,
  identity: StoredIdentity,
  aor: string,
  timeoutMs: number,
): Promise<ReachedAor> {
  const registrations = new RegistrationClient(session.attachment, identity, timeoutMs);
  const resolution = await resolveAor(aor, registrations, {});
  const routes = resolution.entries.filter(
    (entry): entry is RegistrationEntry & { registration: { type: 'route' } } =>
      entry.registration?.type === 'route',
  );
  const branches: CalleeBranch[] = [];
  const unreachable: { nodeId: string; error: string }[] = [];
  await Promise.all(
    routes.map(async (entry) => {
      try {
        branches.push({
          nodeId: entry.nodeId,
          connection: await connectTo(session, identity, entry, timeoutMs),
        });
      } catch (error) {
        unreachable.push({
          nodeId: entry.nodeId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }),
  );
  return { aor, branches, unreachable, notRegistered: routes.length === 0 };
}

async function connectTo(
  session: OverlaySession,
  identity: StoredIdentity,
  entry: RegistrationEntry & { registration: { type: 'route' } },
  timeoutMs: number,
): Promise<SipConnection> {
  const registration = entry.registration;
  if (registration.type !== 'route') throw new Error('not a route registration');
  // AppAttach reaches the last node of the route: the registering client itself, or the SIP edge
  // that registered on a phone's behalf; that node's certificate must answer the TLS connection.
  const last = [...registration.destinations].reverse().find((d) => d.kind === 'node');
  const expected = last?.kind === 'node' ? last.id : nodeIdFromHex(entry.nodeId);
  const signal = AbortSignal.timeout(timeoutMs);
  const candidates = await requestAppAttach(session, registration.destinations, APPLICATION_SIP, undefined, {
    signal,
  });
  for (const candidate of candidates) {
    try {
      return new SipConnection(await dialApp(candidate.address, identity, expected, { timeoutMs, signal }));
    } catch {
      // The next candidate, or the relayed channel below.
    }
  }
  // No address worked (or none was given: a client behind NAT): relay through its attachment
  // peer, in routed messages that the callee's Node-ID answers and signs (DESIGN.md §6).
  return new SipConnection(
    OverlayChannels.of(session).open(registration.destinations, expected, APPLICATION_SIP),
  );
}
