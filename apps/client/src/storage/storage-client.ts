import { type ResourceId, idToBytes, idToHex, nodeIdFromBytes, parseCertificate } from '@p2psip/identity';
import type { StoredIdentity } from '@p2psip/enrollment-client';
import {
  CertificateIndex,
  kindDataToProto,
  metaDataFromProto,
  specifierToProto,
  storedValueFromProto,
} from '@p2psip/overlay-grpc';
import { commonV1 } from '@p2psip/proto';
import { callUnary } from '@p2psip/rpc';
import {
  APPEND_INDEX,
  type KindDefinition,
  type StoredItem,
  type StoredMetaData,
  type StoredValue,
  type ValueSelector,
  type CertificateTrust,
  createCertificateTrust,
  isAuthorized,
  isSyntheticAbsent,
  signValue,
  verifyValue,
} from '@p2psip/storage';
import type { Attachment } from './attachment';

/** Where in a kind a value goes or is read: an array index or a dictionary key. */
export interface Slot {
  readonly index?: number;
  readonly key?: Uint8Array;
}

export interface ValueReport {
  readonly index?: number;
  readonly key?: string;
  readonly exists: boolean;
  /** The value as UTF-8 text, and exactly as hex. */
  readonly value: string;
  readonly valueHex: string;
  readonly storageTime: number;
  readonly lifetime: number;
  readonly signer: string | null;
}

/**
 * The thin client's storage operations through its attachment peer. It signs what it stores with
 * its own key and verifies every fetched value itself (RFC 6940 §7.4.2.2): a value whose signature
 * fails is dropped and counted, never shown.
 */
export class StorageClient {
  constructor(
    private readonly attachment: Attachment,
    private readonly identity: StoredIdentity,
    private readonly timeoutMs: number,
  ) {}

  kind(idOrName: string): KindDefinition {
    const id = /^(0x[0-9a-f]+|\d+)$/i.test(idOrName) ? Number(idOrName) : undefined;
    const kind =
      id !== undefined
        ? this.attachment.kinds.get(id)
        : this.attachment.kinds.all().find((k) => k.name?.toLowerCase() === idOrName.toLowerCase());
    if (!kind) {
      const known = this.attachment.kinds
        .all()
        .map((k) => `${k.id}${k.name ? ` (${k.name})` : ''}`)
        .join(', ');
      throw Object.assign(
        new Error(`kind ${idOrName} is not in the overlay's configuration (known: ${known})`),
        {
          code: 'UNKNOWN_KIND',
        },
      );
    }
    return kind;
  }

  async store(
    resourceId: ResourceId,
    kind: KindDefinition,
    init: {
      value: Uint8Array;
      exists: boolean;
      slot: Slot;
      lifetimeS: number;
      generation: bigint;
      storageTimeMs: bigint;
    },
  ) {
    const item = this.itemFor(kind, init.slot, init.exists ? init.value : new Uint8Array(0), init.exists);
    const value = signValue(
      { resourceId, kind: kind.id, item, storageTimeMs: init.storageTimeMs, lifetimeS: init.lifetimeS },
      { certificateDer: this.identity.certificate.der, privateKey: this.identity.keyPem },
    );
    const response = await callUnary(
      this.attachment.client,
      'store',
      {
        resourceId: idToBytes(resourceId),
        kindData: [kindDataToProto({ kind: kind.id, generation: init.generation, values: [value] })],
        certificates: [],
      },
      { timeoutMs: this.timeoutMs },
    );
    const result = response.kindResponses[0];
    return {
      resourceId: idToHex(resourceId),
      kind: kind.id,
      generation: Number(result?.generationCounter ?? 0n),
      responsible: hexOf(response.responderNodeId),
      replicas: (result?.replicas ?? []).map(hexOf),
      ...(item.model === 'ARRAY' && item.index !== APPEND_INDEX ? { index: item.index } : {}),
      ...(item.model === 'DICTIONARY' ? { key: Buffer.from(item.key).toString('hex') } : {}),
    };
  }

  async fetch(resourceId: ResourceId, kind: KindDefinition, slot: Slot) {
    const response = await callUnary(
      this.attachment.client,
      'fetch',
      { resourceId: idToBytes(resourceId), specifiers: [this.specifier(kind, slot)] },
      { timeoutMs: this.timeoutMs },
    );
    const certificates = new CertificateIndex(response.certificates.map((c) => c.certificateDer));
    // The overlay is the one our own certificate is for, not whatever the peer says it is.
    const trust = createCertificateTrust({
      caCertificateDer: parseCertificate(this.identity.caPem).der,
      overlay: this.identity.certificate.nodes[0]?.overlay ?? this.attachment.overlay,
    });
    const result = response.kindResponses[0];
    const values: ValueReport[] = [];
    let dropped = 0;
    for (const proto of result?.values ?? []) {
      // One value at a time: a hostile peer's bad entry is dropped, not the whole answer.
      const accepted = this.accept(resourceId, kind, proto, certificates, trust);
      if (accepted) values.push(accepted);
      else dropped++;
    }
    return {
      resourceId: idToHex(resourceId),
      kind: kind.id,
      generation: Number(result?.generation ?? 0n),
      responder: hexOf(response.responderNodeId),
      values,
      dropped,
    };
  }

  /**
   * Stat at the responsible peer, then at each replica it names, so the report says how many
   * peers really hold the same copy (same value hashes), not only how many should.
   */
  async stat(resourceId: ResourceId, kind: KindDefinition, slot: Slot) {
    const ask = (at?: Uint8Array) =>
      callUnary(
        this.attachment.client,
        'stat',
        {
          resourceId: idToBytes(resourceId),
          specifiers: [this.specifier(kind, slot)],
          atNodeId: at ? Buffer.from(at) : Buffer.alloc(0),
        },
        { timeoutMs: this.timeoutMs },
      );
    const primary = await ask();
    const result = primary.kindResponses[0];
    const metas = (result?.values ?? []).map(metaDataFromProto);
    const fingerprint = fingerprintOf(metas);
    const replicas = await Promise.all(
      (result?.replicas ?? []).map(async (nodeId) => {
        try {
          const answer = await ask(nodeId);
          const theirs = (answer.kindResponses[0]?.values ?? []).map(metaDataFromProto);
          return { nodeId: hexOf(nodeId), holds: fingerprintOf(theirs) === fingerprint };
        } catch (error) {
          return {
            nodeId: hexOf(nodeId),
            holds: false,
            error: error instanceof Error ? error.message : String(error),
          };
        }
      }),
    );
    return {
      resourceId: idToHex(resourceId),
      kind: kind.id,
      generation: Number(result?.generation ?? 0n),
      responsible: hexOf(primary.responderNodeId),
      replicas,
      copies: 1 + replicas.filter((r) => r.holds).length,
      values: metas.map((m) => ({
        ...slotReport(m.item),
        exists: m.item.exists,
        valueLength: m.valueLength,
        storageTime: Number(m.storageTimeMs),
        lifetime: m.lifetimeS,
        hash: Buffer.from(m.hash).toString('hex'),
      })),
    };
  }

  /**
   * A fetched value as the fetcher must check it (RFC 6940 §7.4.2.2): a synthetic "nothing here",
   * or a signature by a certificate the overlay CA vouches for, from a signer the kind's access
   * policy lets store it at this resource. Undefined = drop it.
   */
  private accept(
    resourceId: ResourceId,
    kind: KindDefinition,
    proto: commonV1.StoredData,
    certificates: CertificateIndex,
    trust: CertificateTrust,
  ): ValueReport | undefined {
    let value: StoredValue;
    try {
      value = storedValueFromProto(proto, certificates);
    } catch {
      return undefined;
    }
    if (isSyntheticAbsent(value)) return reportOf(value, null);
    const signer = verifyValue(resourceId, kind.id, value, trust, Date.now());
    if (!signer || !isAuthorized(kind, resourceId, value.item, signer)) return undefined;
    return reportOf(value, signer.userName ?? null);
  }

  private itemFor(kind: KindDefinition, slot: Slot, value: Uint8Array, exists: boolean): StoredItem {
    if (kind.dataModel === 'SINGLE') {
      if (slot.index !== undefined || slot.key) usage(`kind ${kind.id} is SINGLE: no --index or --key`);
      return { model: 'SINGLE', exists, value };
    }
    if (kind.dataModel === 'ARRAY') {
      if (slot.key) usage(`kind ${kind.id} is an ARRAY: use --index, not --key`);
      return { model: 'ARRAY', index: slot.index ?? APPEND_INDEX, exists, value };
    }
    if (slot.index !== undefined) usage(`kind ${kind.id} is a DICTIONARY: use --key, not --index`);
    return { model: 'DICTIONARY', key: slot.key ?? this.defaultKey(kind), exists, value };
  }

  /** Kinds keyed by the storing node (SIP-REGISTRATION, ReDiR) default to the client's Node-ID. */
  private defaultKey(kind: KindDefinition): Uint8Array {
    if (kind.accessControl === 'USER-NODE-MATCH' || kind.accessControl === 'NODE-ID-MATCH') {
      return idToBytes(this.attachment.clientNodeId);
    }
    return usage(`kind ${kind.id} is a DICTIONARY: give --key`);
  }

  private specifier(kind: KindDefinition, slot: Slot): commonV1.StoredDataSpecifier {
    let selector: ValueSelector;
    if (kind.dataModel === 'SINGLE') selector = { model: 'SINGLE' };
    else if (kind.dataModel === 'ARRAY') {
      const ranges =
        slot.index === undefined
          ? [{ first: 0, last: APPEND_INDEX }]
          : [{ first: slot.index, last: slot.index }];
      selector = { model: 'ARRAY', ranges };
    } else selector = { model: 'DICTIONARY', keys: slot.key ? [slot.key] : [] };
    return specifierToProto({ kind: kind.id, generation: 0n, selector });
  }
}

function reportOf(value: StoredValue, signer: string | null): ValueReport {
  const bytes = Buffer.from(value.item.value);
  return {
    ...slotReport(value.item),
    exists: value.item.exists,
    value: bytes.toString('utf8'),
    valueHex: bytes.toString('hex'),
    storageTime: Number(value.storageTimeMs),
    lifetime: value.lifetimeS,
    signer,
  };
}

function slotReport(item: StoredItem): { index?: number; key?: string } {
  if (item.model === 'ARRAY') return { index: item.index };
  if (item.model === 'DICTIONARY') return { key: Buffer.from(item.key).toString('hex') };
  return {};
}

function fingerprintOf(metas: readonly StoredMetaData[]): string {
  return metas
    .map((m) => `${m.storageTimeMs}:${m.item.exists}:${Buffer.from(m.hash).toString('hex')}`)
    .join(',');
}

function hexOf(bytes: Uint8Array): string {
  return bytes.length === 16 ? idToHex(nodeIdFromBytes(bytes)) : '';
}

function usage(message: string): never {
  throw Object.assign(new Error(message), { code: 'USAGE' });
}
