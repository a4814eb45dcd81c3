import { RING_SIZE, idToBytes, nodeIdFromBigInt, nodeIdFromBytes } from '@p2psip/identity';
import { BUILT_IN_KINDS } from '@p2psip/overlay-config';
import { commonV1 } from '@p2psip/proto';
import { RedirTree, encodeRedirRecord } from '@p2psip/redir';
import { type StoredValue, createCertificateTrust, signValue } from '@p2psip/storage';
import { type TestNodeIdentity, type TestPki, createTestPki } from '@p2psip/testing';
import { storedValueToProto } from './storage-values';
import { trustedDictionaryEntries } from './trusted-dictionary-entries';

const OVERLAY = 'p2psip.test';
const kind = BUILT_IN_KINDS.find((k) => k.id === 0x104);

// ReDiR's records (RFC 7374 under NODE-ID-MATCH) as the relay and the client fetch them.
describe('overlay-grpc — dictionary entries a fetcher may trust', () => {
  let pki: TestPki;
  let relay: TestNodeIdentity;
  let other: TestNodeIdentity;

  beforeAll(async () => {
    pki = await createTestPki(OVERLAY);
    relay = await pki.issue({ userName: `relay@${OVERLAY}` });
    // A twentieth of the ring away: another tree node from level 2 on (b = 10).
    const elsewhere = ((relay.nodeIds[0] ?? 0n) + RING_SIZE / 20n) % RING_SIZE;
    other = await pki.issue({ userName: `other@${OVERLAY}`, nodeIds: [nodeIdFromBigInt(elsewhere)] });
  }, 30_000);

  it('keeps only verified records that NODE-ID-MATCH allows in that tree node', () => {
    if (!kind) throw new Error('REDIR is a built-in kind');
    const tree = new RedirTree({ namespace: 'turn-server' });
    const relayId = relay.nodeIds[0];
    const otherId = other.nodeIds[0];
    if (relayId === undefined || otherId === undefined) throw new Error('no Node-IDs');
    const node = tree.nodeFor(2, relayId);
    const recordOf = (id: bigint, level: number, nodeIndex: number) =>
      encodeRedirRecord({
        destinations: [{ kind: 'node', id: id as never }],
        namespace: 'turn-server',
        level,
        node: nodeIndex,
      });
    const sign = (who: TestNodeIdentity, key: bigint, value: Uint8Array | undefined, at = 1n): StoredValue =>
      signValue(
        {
          resourceId: node.resourceId,
          kind: kind.id,
          item: {
            model: 'DICTIONARY',
            key: idToBytes(key),
            exists: value !== undefined,
            value: value ?? new Uint8Array(0),
          },
          storageTimeMs: BigInt(Date.now()) + at,
          lifetimeS: 60,
        },
        { certificateDer: who.certificate.der, privateKey: who.keyPem },
      );
    const good = sign(relay, relayId, recordOf(relayId, 2, node.node));
    const tampered = { ...good, item: { ...good.item, value: recordOf(relayId, 1, 0) } };
    const values = [
      good,
      tampered,
      // Someone else's key, and a record for a tree node that does not cover the signer.
      sign(other, relayId, recordOf(relayId, 2, node.node), 2n),
      sign(other, otherId, recordOf(otherId, 2, node.node), 3n),
      // A removal is no provider.
      sign(relay, relayId, undefined, 4n),
    ];
    const certificates = [relay, other].map((who) => ({
      type: commonV1.CertificateType.CERTIFICATE_TYPE_X509,
      certificateDer: Buffer.from(who.certificate.der),
    }));
    const entries = trustedDictionaryEntries(
      node.resourceId,
      {
        kindResponses: [{ kind: kind.id, generation: 1n, values: values.map(storedValueToProto) }],
        certificates,
      },
      {
        kind,
        trust: createCertificateTrust({ caCertificateDer: pki.authority.certificate.der, overlay: OVERLAY }),
        policy: {},
        nowMs: Date.now(),
      },
    );
    expect(entries.map((entry) => nodeIdFromBytes(entry.key))).toEqual([relayId]);
  });
});
