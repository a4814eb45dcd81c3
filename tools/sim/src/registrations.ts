import { type NodeId, type ResourceId, nodeIdFromBytes, nodeMultipleResourceId } from '@p2psip/identity';
import type { OverlayNode } from '@p2psip/overlay';
import type { SeededRandom } from '@p2psip/overlay/testing';
import {
  type CertificateTrust,
  KindRegistry,
  MemoryValueStore,
  OverlayStorage,
  StorageRules,
  type StoredValue,
  createCertificateTrust,
  signValue,
} from '@p2psip/storage';
import { createTestPki } from '@p2psip/testing';

const OVERLAY = 'p2psip.sim';
/** A private-use SINGLE kind at H(Node-ID ‖ i): one writer certificate fills any number of resources. */
export const REGISTRATION_KIND = 0xf0000020;
/** A SIP registration's contact list is about this large. */
const VALUE_BYTES = 160;
const LIFETIME_S = 24 * 3600;
/** The writer certificate's usual DER length (serial and signature encodings vary it by a byte or two). */
const CERTIFICATE_BYTES = 475;

/** Where storage lives on one simulated peer: the production rules, store and replication. */
export interface PeerStorage {
  readonly storage: OverlayStorage;
  readonly rules: StorageRules;
}

/**
 * The storage workload's fixed material: an overlay CA, one writer certificate, and the signed
 * registrations. Signatures and certificate checks are the real ones (ECDSA P-256 through
 * node:crypto; certificates parsed once and cached by the production `CertificateTrust`): at the
 * sizes the storage scenarios run (≤ 10,000 peers, a few thousand values) they cost seconds, so
 * nothing cheaper is injected. ECDSA signatures are random, and so is a DER signature's length
 * (70–72 bytes); certificates and values are re-signed until they have the most common length, so
 * that the wire sizes, and the run's numbers, do not depend on that randomness.
 */
export class RegistrationSet {
  readonly kinds = new KindRegistry([
    {
      id: REGISTRATION_KIND,
      dataModel: 'SINGLE',
      accessControl: 'NODE-MULTIPLE',
      maxCount: 1,
      maxSize: 1024,
      maxNodeMultiple: 1_000_000,
    },
  ]);

  private constructor(
    readonly trust: CertificateTrust,
    readonly writerId: NodeId,
    readonly values: readonly StoredValue[],
  ) {}

  static async create(count: number, random: SeededRandom): Promise<RegistrationSet> {
    const pki = await createTestPki(OVERLAY);
    const writerId = nodeIdFromBytes(random.bytes(16));
    let writer = await pki.issue({ nodeIds: [writerId], userName: `writer@${OVERLAY}` });
    for (let i = 0; i < 50 && writer.certificate.der.length !== CERTIFICATE_BYTES; i++) {
      writer = await pki.issue({ nodeIds: [writerId], userName: `writer@${OVERLAY}` });
    }
    const trust = createCertificateTrust({
      caCertificateDer: pki.authority.certificate.der,
      overlay: OVERLAY,
    });
    const values: StoredValue[] = [];
    for (let i = 0; i < count; i++) {
      const payload = Buffer.from(random.bytes(VALUE_BYTES));
      let value: StoredValue;
      do {
        value = signValue(
          {
            resourceId: nodeMultipleResourceId(writerId, i + 1),
            kind: REGISTRATION_KIND,
            item: { model: 'SINGLE', exists: true, value: payload },
            storageTimeMs: BigInt(1_000_000 + i),
            lifetimeS: LIFETIME_S,
          },
          { certificateDer: writer.certificate.der, privateKey: writer.keyPem },
        );
      } while (value.signature.value.length !== 71);
      values.push(value);
    }
    return new RegistrationSet(trust, writerId, values);
  }

  resourceOf(i: number): ResourceId {
    return nodeMultipleResourceId(this.writerId, i + 1);
  }

  /** The production storage stack on one node; certificate validity is judged in wall time. */
  attach(node: OverlayNode): PeerStorage {
    const rules = new StorageRules({
      kinds: this.kinds,
      store: new MemoryValueStore(),
      trust: this.trust,
      now: () => node.clock.now(),
      certificateTime: () => Date.now(),
    });
    return { rules, storage: new OverlayStorage({ node, rules }) };
  }
}
