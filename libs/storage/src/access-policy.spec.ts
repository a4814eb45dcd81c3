import { generateKeyPairSync } from 'node:crypto';
import { type NodeId, RING_SIZE, idToBytes, nodeIdFromBytes, resourceIdOf } from '@p2psip/identity';
import {
  BUILT_IN_KINDS,
  DEFAULT_REDIR_BRANCHING_FACTOR,
  MAX_REDIR_BRANCHING_FACTOR,
  MIN_REDIR_BRANCHING_FACTOR,
} from '@p2psip/overlay-config';
import {
  DEFAULT_BRANCHING_FACTOR,
  MAX_BRANCHING_FACTOR,
  MIN_BRANCHING_FACTOR,
  RedirTree,
  encodeRedirRecord,
  treeNodeResourceId,
} from '@p2psip/redir';
import { type AccessPolicySettings, isAuthorized } from './access-policy';
import type { SignerInfo } from './certificate-trust';
import type { StoredItem } from './model';

const idOf = (label: string): NodeId => nodeIdFromBytes(idToBytes(resourceIdOf(label)));
const redirKind = BUILT_IN_KINDS.find((kind) => kind.id === 0x104);
const provider = idOf('relay@p2psip.test');
const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = (...nodeIds: NodeId[]): SignerInfo => ({
  serialNumber: '01',
  notBeforeMs: 0,
  notAfterMs: Infinity,
  userName: 'relay@p2psip.test',
  nodeIds,
  publicKey,
});
const record = (level: number, node: number, namespace = 'turn-server') =>
  encodeRedirRecord({ destinations: [{ kind: 'node', id: provider }], namespace, level, node });
const entry = (key: NodeId, value: Uint8Array | undefined): StoredItem => ({
  model: 'DICTIONARY',
  key: idToBytes(key),
  exists: value !== undefined,
  value: value ?? new Uint8Array(0),
});

describe('storage — NODE-ID-MATCH (RFC 7374)', () => {
  if (!redirKind) throw new Error('REDIR is a built-in kind');
  const tree = new RedirTree({ namespace: 'turn-server' });
  const allowed = (
    resourceId: bigint,
    item: StoredItem,
    settings?: AccessPolicySettings,
    who = signer(provider),
  ) => isAuthorized(redirKind, resourceId as never, item, who, settings);

  it('lets a provider store its record in every tree node that covers its Node-ID', () => {
    for (let level = 0; level <= tree.deepestLevel; level++) {
      const { node, resourceId } = tree.nodeFor(level, provider);
      expect(allowed(resourceId, entry(provider, record(level, node)))).toBe(true);
    }
  });

  it('refuses another key, a record for another tree node, a misplaced or malformed record', () => {
    const { node, resourceId } = tree.nodeFor(2, provider);
    const stranger = idOf('stranger');
    expect(allowed(resourceId, entry(stranger, record(2, node)))).toBe(false);
    // A tree node elsewhere, stored where it belongs, but the provider lies outside it.
    const elsewhere = tree.nodeFor(2, (provider + RING_SIZE / 20n) % RING_SIZE);
    expect(allowed(elsewhere.resourceId, entry(provider, record(2, elsewhere.node)))).toBe(false);
    // The right tree node, stored at the wrong Resource-ID.
    expect(allowed(elsewhere.resourceId, entry(provider, record(2, node)))).toBe(false);
    expect(allowed(resourceIdOf('anything'), entry(provider, record(2, node)))).toBe(false);
    // Another namespace's node (l, j) lives at another Resource-ID.
    expect(allowed(resourceId, entry(provider, record(2, node, 'voice-mail')))).toBe(false);
    expect(allowed(treeNodeResourceId('turn-server', 9, 0), entry(provider, record(9, 0)))).toBe(false);
    expect(allowed(resourceId, entry(provider, Uint8Array.of(0, 0, 1)))).toBe(false);
    expect(allowed(resourceId, { model: 'SINGLE', exists: true, value: record(2, node) })).toBe(false);
  });

  it('lets the key’s owner remove its entry anywhere (a removal has no record)', () => {
    expect(allowed(resourceIdOf('anything'), entry(provider, undefined))).toBe(true);
    expect(allowed(resourceIdOf('anything'), entry(idOf('stranger'), undefined))).toBe(false);
    // Any of the certificate's Node-IDs qualifies.
    const { node, resourceId } = tree.nodeFor(1, provider);
    expect(allowed(resourceId, entry(provider, record(1, node)), {}, signer(idOf('other'), provider))).toBe(
      true,
    );
  });

  it('checks the tree with the configured branching factor', () => {
    const b16 = new RedirTree({ namespace: 'turn-server', branchingFactor: 16 }).nodeFor(2, provider);
    const b10 = tree.nodeFor(2, provider);
    expect(b16.node).not.toBe(b10.node);
    expect(allowed(b16.resourceId, entry(provider, record(2, b16.node)), { redirBranchingFactor: 16 })).toBe(
      true,
    );
    expect(allowed(b16.resourceId, entry(provider, record(2, b16.node)))).toBe(false);
    expect(allowed(b10.resourceId, entry(provider, record(2, b10.node)), { redirBranchingFactor: 16 })).toBe(
      false,
    );
  });

  it('accepts exactly the branching factors the ReDiR tree runs', () => {
    expect([MIN_REDIR_BRANCHING_FACTOR, MAX_REDIR_BRANCHING_FACTOR, DEFAULT_REDIR_BRANCHING_FACTOR]).toEqual([
      MIN_BRANCHING_FACTOR,
      MAX_BRANCHING_FACTOR,
      DEFAULT_BRANCHING_FACTOR,
    ]);
  });
});
