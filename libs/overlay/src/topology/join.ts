import { idToHex, ringAdd, type NodeId } from '@p2psip/identity';
import { JoinFailedError, NodeStoppedError, ReloadError } from '../errors';
import { nodeDestination, resourceDestination } from '../messages/destination';
import { ErrorCode } from '../messages/error-code';
import type { ChordUpdate, JoinAnswer, JoinRequest } from '../messages/topology-bodies';
import { attach } from './attach';
import type { ChordTopology } from './chord-topology';
import type { IncomingRequest, NodeCore } from './node-core';
import { type BootstrapContact, toBootstrapContact } from './bootstrap-contact';

/**
 * Joins the ring through the Admitting Peer (RFC 6940 §10.5), trying each bootstrap address in
 * turn: link to the bootstrap node, Attach to self + 1 (answered by the AP, the current owner of
 * our id) with send_update, take the AP's tables from its full Update, attach to the neighbours
 * and fingers found there (through the AP, which is linked to them), send Join, then announce.
 */
export async function join(
  core: NodeCore,
  topology: ChordTopology,
  bootstrap: readonly (string | BootstrapContact)[],
  signal: AbortSignal,
): Promise<void> {
  let lastError: unknown;
  for (const entry of bootstrap) {
    const contact = toBootstrapContact(entry);
    if (signal.aborted) throw new NodeStoppedError();
    try {
      await joinThrough(core, topology, contact, signal);
      return;
    } catch (error) {
      lastError = error;
      core.logger.warn({ address: contact.address, error }, 'join through bootstrap node failed');
    }
  }
  throw new JoinFailedError(`could not join through ${bootstrap.length} bootstrap node(s)`, {
    cause: lastError,
  });
}

async function joinThrough(
  core: NodeCore,
  topology: ChordTopology,
  { address, nodeId }: BootstrapContact,
  signal: AbortSignal,
): Promise<void> {
  const { self, table, settings } = core;
  // Defence in depth: a stale cache or listing may name this node itself.
  if (nodeId === self) throw new JoinFailedError('the bootstrap contact is this node');
  const bootstrapLink = core.registerLink(await core.transport.connect(address, nodeId, { signal }));
  const target = resourceDestination(ringAdd(self, 1n));
  const { nodeId: ap } = await attach(core, [target], { sendUpdate: true, signal });
  if (ap === self) throw new JoinFailedError('admitting peer is this node');
  const update = await waitForUpdate(
    topology,
    ap,
    settings.requestTimeoutMs * settings.maxTransmissions,
    core,
    signal,
  );
  table.neighbors.rebuild([ap]);
  await adoptTables(core, topology, ap, update);
  const body: JoinRequest = { type: 'join_req', joiningPeerId: self };
  await core.request([nodeDestination(ap)], body, { signal });
  topology.becomeJoined();
  const b = bootstrapLink.remoteNodeId;
  if (b !== ap && !table.has(b)) core.connections.get(b)?.close();
}

/** Steps 3–4: link to the AP's neighbours and to the fingers its tables offer. */
async function adoptTables(
  core: NodeCore,
  topology: ChordTopology,
  ap: NodeId,
  update: ChordUpdate,
): Promise<void> {
  const { table, self } = core;
  const tasks: Promise<void>[] = [];
  for (const id of [...update.successors, ...update.predecessors]) {
    if (id === self || id === ap || !table.neighbors.wants(id)) continue;
    tasks.push(topology.connectTo(id, ap).then(() => void table.neighbors.rebuild([id])));
  }
  const claimed = new Set<number>();
  for (const id of update.fingers) {
    const slot = table.fingers.slotFor(id);
    if (slot === 0 || claimed.has(slot)) continue;
    claimed.add(slot);
    tasks.push(topology.connectTo(id, ap).then(() => table.fingers.set(slot, id)));
  }
  const results = await Promise.allSettled(tasks);
  const failed = results.filter((r) => r.status === 'rejected').length;
  if (failed > 0) core.logger.debug({ failed }, 'some peers of the AP could not be attached');
}

function waitForUpdate(
  topology: ChordTopology,
  ap: NodeId,
  timeoutMs: number,
  core: NodeCore,
  signal: AbortSignal,
): Promise<ChordUpdate> {
  const ready = topology.preJoinUpdates.get(ap);
  if (ready) return Promise.resolve(ready);
  return new Promise((resolve, reject) => {
    const timer = core.clock.schedule(timeoutMs, () => {
      done();
      reject(new JoinFailedError(`no Update from admitting peer ${idToHex(ap)}`));
    });
    const onAbort = (): void => {
      done();
      reject(new NodeStoppedError());
    };
    const done = (): void => {
      timer.cancel();
      topology.onPreJoinUpdate = undefined;
      signal.removeEventListener('abort', onAbort);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    topology.onPreJoinUpdate = (from) => {
      const update = topology.preJoinUpdates.get(from);
      if (from !== ap || !update) return;
      done();
      resolve(update);
    };
  });
}

/**
 * The admitting peer's side (RFC 6940 §6.4.2.1): Join is accepted only over a direct link bound
 * to the joining Node-ID (the request crossed one link, from that node).
 */
export function handleJoin(topology: ChordTopology, request: IncomingRequest<JoinRequest>): JoinAnswer {
  if (!topology.joined) throw new ReloadError(ErrorCode.NotFound, 'not part of the ring');
  const id = request.body.joiningPeerId;
  if (typeof id !== 'bigint') throw new ReloadError(ErrorCode.InvalidMessage, 'no joining id');
  if (id !== request.origin || request.hops !== 1 || request.link?.remoteNodeId !== id) {
    throw new ReloadError(ErrorCode.Forbidden, 'Join must come over the joiner’s own link');
  }
  topology.admit(id);
  return { type: 'join_ans' };
}
