import {
  type NodeId,
  RING_SIZE,
  type ResourceId,
  idToBytes,
  idToHex,
  nodeIdFromBytes,
  nodeMultipleResourceId,
  resourceIdOf,
} from '@p2psip/identity';
import { BUILT_IN_KINDS } from '@p2psip/overlay-config';
import { MemoryRedirPort, RedirTree, registerProvider } from '@p2psip/redir';
import type { Attachment } from '../storage/attachment';
import type { StorageClient, ValueReport } from '../storage/storage-client';
import { findRelaysInOverlay } from './overlay-relays';

const idOf = (label: string): NodeId => nodeIdFromBytes(idToBytes(resourceIdOf(label)));
const turnKind = BUILT_IN_KINDS.find((kind) => kind.id === 0x2);

/** TURN-SERVICE values by Resource-ID, served the way StorageClient reports them; counts fetches. */
function fakeStorage(values: Map<ResourceId, string>) {
  const fetched: ResourceId[] = [];
  const storage = {
    kind: () => turnKind,
    fetch: (resourceId: ResourceId) => {
      fetched.push(resourceId);
      const address = values.get(resourceId);
      const report: ValueReport = address
        ? {
            exists: true,
            value: '',
            valueHex: turnServerHex(address),
            storageTime: 1,
            lifetime: 60,
            signer: 'relay@p2psip.test',
          }
        : { exists: false, value: '', valueHex: '', storageTime: 0, lifetime: 0, signer: null };
      return Promise.resolve({ resourceId: idToHex(resourceId), values: [report] });
    },
  };
  return { storage: storage as unknown as StorageClient, fetched };
}

/** RFC 6940 TurnServer: iteration 1, IPv4 127.0.0.1:port. */
function turnServerHex(address: string): string {
  const port = Number(address.split(':')[1]);
  return Buffer.from([1, 1, 6, 127, 0, 0, 1, port >> 8, port & 0xff]).toString('hex');
}

/** An attachment whose Find never names a resource (the fallback finds nothing). */
function fakeAttachment(clientNodeId: NodeId): { attachment: Attachment; finds: () => number } {
  let finds = 0;
  const client = {
    find: (
      _request: unknown,
      _metadata: unknown,
      _options: unknown,
      callback: (e: null, r: unknown) => void,
    ) => {
      finds++;
      callback(null, { results: [] });
      return { cancel: () => undefined };
    },
  };
  return { attachment: { clientNodeId, client } as unknown as Attachment, finds: () => finds };
}

describe('client — relays through the overlay', () => {
  const tree = new RedirTree({ namespace: 'turn-server' });
  const serviceA = idOf('relay-a@p2psip.test');
  const serviceB = idOf('relay-b@p2psip.test');
  // Relay services: A runs two relays (positions 1 and 2), B one (position 1).
  const values = new Map<ResourceId, string>([
    [nodeMultipleResourceId(serviceA, 1), '127.0.0.1:3478'],
    [nodeMultipleResourceId(serviceA, 2), '127.0.0.1:3479'],
    [nodeMultipleResourceId(serviceB, 1), '127.0.0.1:3480'],
  ]);
  const [first, second] = serviceA < serviceB ? [serviceA, serviceB] : [serviceB, serviceA];

  async function port() {
    const memory = new MemoryRedirPort();
    for (const providerId of [serviceA, serviceB])
      await registerProvider(memory, tree, { providerId, lifetimeS: 60 });
    return memory;
  }

  it('looks up the provider after its own Node-ID, reads its relays, then the next provider’s', async () => {
    const { storage } = fakeStorage(values);
    // Just before the lower provider: the walk meets it first, then the other.
    const { attachment, finds } = fakeAttachment(nodeIdFromBytes(idToBytes((first - 1n) % RING_SIZE)));
    const result = await findRelaysInOverlay({
      attachment,
      storage,
      redir: { port: await port(), branchingFactor: 10 },
      count: 3,
      attempts: 5,
      timeoutMs: 1000,
    });
    expect(result.relays.map((r) => [r.method, r.provider])).toEqual([
      ['redir', idToHex(first)],
      ...(first === serviceA ? [['redir', idToHex(first)]] : []),
      ['redir', idToHex(second)],
      ...(second === serviceA ? [['redir', idToHex(second)]] : []),
    ]);
    expect(result.redir).toMatchObject({ lookups: 2, providers: [idToHex(first), idToHex(second)] });
    expect(result.finds).toBe(0);
    expect(finds()).toBe(0);
  });

  it('stops at the count, and past a provider’s last relay', async () => {
    const { storage, fetched } = fakeStorage(values);
    const { attachment } = fakeAttachment(serviceB);
    const result = await findRelaysInOverlay({
      attachment,
      storage,
      redir: { port: await port(), branchingFactor: 10 },
      count: 1,
      attempts: 5,
      timeoutMs: 1000,
    });
    expect(result.relays.map((r) => r.address)).toEqual(['127.0.0.1:3480']);
    // One batch of positions 1..4 of B, nothing more.
    expect(fetched).toHaveLength(4);
  });

  it('falls back to Find at random ids when ReDiR finds no relay, and says why', async () => {
    const { storage } = fakeStorage(values);
    const empty = fakeAttachment(serviceA);
    const none = await findRelaysInOverlay({
      attachment: empty.attachment,
      storage,
      redir: { port: new MemoryRedirPort(), branchingFactor: 10 },
      count: 3,
      attempts: 5,
      timeoutMs: 1000,
    });
    expect(none).toEqual({ relays: [], redir: { lookups: 1, fetches: 3, providers: [] }, finds: 5 });
    const skipped = fakeAttachment(serviceA);
    const off = await findRelaysInOverlay({
      attachment: skipped.attachment,
      storage,
      redir: { skipped: '--no-redir' },
      count: 3,
      attempts: 2,
      timeoutMs: 1000,
    });
    expect(off).toEqual({ relays: [], redir: { skipped: '--no-redir' }, finds: 2 });
  });
});
