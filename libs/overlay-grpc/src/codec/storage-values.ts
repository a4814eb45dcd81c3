import { createHash } from 'node:crypto';
import type { Signature, SignerIdentity } from '@p2psip/overlay-config';
import { commonV1, type peerV1 } from '@p2psip/proto';
import type {
  KindDefinition,
  StoredDataSpecifier,
  StoredItem,
  StoredMetaData,
  StoredValue,
  ValueSelector,
} from '@p2psip/storage';
import { UndecodableError } from './ids';

// StoredData, StoredDataSpecifier and StoredMetaData between the storage lib and protobuf. Shared by
// the overlay codec (messages between peers) and the client access service (client ↔ peer).

const IDENTITY_TYPES: Record<SignerIdentity['type'], commonV1.SignerIdentityType> = {
  cert_hash: commonV1.SignerIdentityType.SIGNER_IDENTITY_TYPE_CERT_HASH,
  cert_hash_node_id: commonV1.SignerIdentityType.SIGNER_IDENTITY_TYPE_CERT_HASH_NODE_ID,
  none: commonV1.SignerIdentityType.SIGNER_IDENTITY_TYPE_NONE,
};

export function storedValueToProto(value: StoredValue): commonV1.StoredData {
  return {
    storageTimeMs: value.storageTimeMs,
    lifetimeS: value.lifetimeS,
    value: itemToProto(value.item),
    signature: signatureToProto(value.signature),
  };
}

/**
 * A StoredData with its signer's certificate looked up among the message's certificates (by the
 * identity's SHA-256 cert hash); a missing certificate leaves it empty, so verification fails.
 */
export function storedValueFromProto(
  proto: commonV1.StoredData,
  certificates: CertificateIndex,
): StoredValue {
  const signature = signatureFromProto(proto.signature);
  const identity = signature.identity;
  const certificate =
    identity.type === 'none' ? new Uint8Array(0) : (certificates.get(identity.hash) ?? new Uint8Array(0));
  return {
    storageTimeMs: proto.storageTimeMs,
    lifetimeS: proto.lifetimeS,
    item: itemFromProto(proto.value),
    signature,
    certificate,
  };
}

/** Certificates of a message by SHA-256 of their DER. */
export class CertificateIndex {
  private readonly byHash = new Map<string, Uint8Array>();

  constructor(certificates: readonly Uint8Array[] = []) {
    for (const der of certificates) this.byHash.set(hashHex(der), der);
  }

  get(hash: Uint8Array): Uint8Array | undefined {
    return this.byHash.get(Buffer.from(hash).toString('hex'));
  }
}

/** The distinct signer certificates of some values (for a SecurityBlock or a client response). */
export function certificatesOf(values: Iterable<StoredValue>): Uint8Array[] {
  const seen = new Map<string, Uint8Array>();
  for (const v of values) {
    if (v.certificate.length > 0) seen.set(Buffer.from(v.certificate).toString('base64'), v.certificate);
  }
  return [...seen.values()];
}

export function specifierToProto(spec: StoredDataSpecifier): commonV1.StoredDataSpecifier {
  return { kind: spec.kind, generation: spec.generation, model: selectorToProto(spec.selector) };
}

export function specifierFromProto(proto: commonV1.StoredDataSpecifier): StoredDataSpecifier {
  return { kind: proto.kind, generation: proto.generation, selector: selectorFromProto(proto.model) };
}

export function metaDataToProto(meta: StoredMetaData): commonV1.StoredMetaData {
  const metaData = {
    exists: meta.item.exists,
    valueLength: meta.valueLength,
    hashAlgorithm: meta.hashAlgorithm,
    hashValue: Buffer.from(meta.hash),
  };
  const item = meta.item;
  return {
    valueLength: meta.valueLength,
    storageTimeMs: meta.storageTimeMs,
    lifetimeS: meta.lifetimeS,
    metadata:
      item.model === 'SINGLE'
        ? { $case: 'single', single: metaData }
        : item.model === 'ARRAY'
          ? { $case: 'arrayEntry', arrayEntry: { index: item.index, value: metaData } }
          : { $case: 'dictionaryEntry', dictionaryEntry: { key: Buffer.from(item.key), value: metaData } },
  };
}

export function metaDataFromProto(proto: commonV1.StoredMetaData): StoredMetaData {
  const m = proto.metadata;
  if (!m) throw new UndecodableError('a StoredMetaData without metadata');
  const data =
    m.$case === 'single' ? m.single : m.$case === 'arrayEntry' ? m.arrayEntry.value : m.dictionaryEntry.value;
  if (!data) throw new UndecodableError('a StoredMetaData entry without MetaData');
  const base = { exists: data.exists, value: new Uint8Array(0) };
  const item: StoredItem =
    m.$case === 'single'
      ? { model: 'SINGLE', ...base }
      : m.$case === 'arrayEntry'
        ? { model: 'ARRAY', index: m.arrayEntry.index, ...base }
        : { model: 'DICTIONARY', key: new Uint8Array(m.dictionaryEntry.key), ...base };
  return {
    storageTimeMs: proto.storageTimeMs,
    lifetimeS: proto.lifetimeS,
    item,
    valueLength: data.valueLength,
    hashAlgorithm: data.hashAlgorithm,
    hash: new Uint8Array(data.hashValue),
  };
}

function itemToProto(item: StoredItem): commonV1.StoredData['value'] {
  const dataValue = { exists: item.exists, value: Buffer.from(item.value) };
  if (item.model === 'SINGLE') return { $case: 'single', single: dataValue };
  if (item.model === 'ARRAY')
    return { $case: 'arrayEntry', arrayEntry: { index: item.index, value: dataValue } };
  return { $case: 'dictionaryEntry', dictionaryEntry: { key: Buffer.from(item.key), value: dataValue } };
}

/** RELOAD's DictionaryKey is `opaque<0..2^16-1>`: longer keys cannot exist, let alone be signed. */
const MAX_DICTIONARY_KEY = 0xffff;

function itemFromProto(value: commonV1.StoredData['value']): StoredItem {
  if (!value) throw new UndecodableError('a StoredData without a value');
  const dataValue =
    value.$case === 'single'
      ? value.single
      : value.$case === 'arrayEntry'
        ? value.arrayEntry.value
        : value.dictionaryEntry.value;
  if (!dataValue) throw new UndecodableError('a StoredData entry without a DataValue');
  const base = { exists: dataValue.exists, value: new Uint8Array(dataValue.value) };
  if (value.$case === 'single') return { model: 'SINGLE', ...base };
  if (value.$case === 'arrayEntry') return { model: 'ARRAY', index: value.arrayEntry.index, ...base };
  if (value.dictionaryEntry.key.length > MAX_DICTIONARY_KEY)
    throw new UndecodableError('a dictionary key over 64 KiB');
  return { model: 'DICTIONARY', key: new Uint8Array(value.dictionaryEntry.key), ...base };
}

function signatureToProto(signature: Signature): commonV1.Signature {
  const identity = signature.identity;
  return {
    hashAlgorithm: signature.algorithm.hash,
    signatureAlgorithm: signature.algorithm.signature,
    identity: {
      type: IDENTITY_TYPES[identity.type],
      hashAlgorithm: identity.type === 'none' ? 0 : identity.hashAlgorithm,
      certificateHash: identity.type === 'none' ? Buffer.alloc(0) : Buffer.from(identity.hash),
    },
    value: Buffer.from(signature.value),
  };
}

function signatureFromProto(proto: commonV1.Signature | undefined): Signature {
  if (!proto?.identity) throw new UndecodableError('a StoredData without a signature');
  const algorithm = { hash: proto.hashAlgorithm, signature: proto.signatureAlgorithm };
  const { type, hashAlgorithm, certificateHash } = proto.identity;
  const value = new Uint8Array(proto.value);
  if (type === commonV1.SignerIdentityType.SIGNER_IDENTITY_TYPE_NONE)
    return { algorithm, identity: { type: 'none' }, value };
  const name =
    type === commonV1.SignerIdentityType.SIGNER_IDENTITY_TYPE_CERT_HASH
      ? 'cert_hash'
      : type === commonV1.SignerIdentityType.SIGNER_IDENTITY_TYPE_CERT_HASH_NODE_ID
        ? 'cert_hash_node_id'
        : undefined;
  if (!name) throw new UndecodableError(`unknown signer identity type ${type}`);
  if (hashAlgorithm > 0xff || certificateHash.length > 0xff)
    throw new UndecodableError('an oversized signer identity');
  return { algorithm, identity: { type: name, hashAlgorithm, hash: new Uint8Array(certificateHash) }, value };
}

function selectorToProto(selector: ValueSelector): commonV1.StoredDataSpecifier['model'] {
  if (selector.model === 'SINGLE') return { $case: 'single', single: {} };
  if (selector.model === 'ARRAY')
    return {
      $case: 'array',
      array: { ranges: selector.ranges.map((r) => ({ first: r.first, last: r.last })) },
    };
  return { $case: 'dictionary', dictionary: { keys: selector.keys.map((k) => Buffer.from(k)) } };
}

function selectorFromProto(model: commonV1.StoredDataSpecifier['model']): ValueSelector {
  if (!model) throw new UndecodableError('a StoredDataSpecifier without a model');
  if (model.$case === 'single') return { model: 'SINGLE' };
  if (model.$case === 'array')
    return { model: 'ARRAY', ranges: model.array.ranges.map((r) => ({ first: r.first, last: r.last })) };
  return { model: 'DICTIONARY', keys: model.dictionary.keys.map((k) => new Uint8Array(k)) };
}

function hashHex(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

const DATA_MODELS: Record<KindDefinition['dataModel'], commonV1.DataModel> = {
  SINGLE: commonV1.DataModel.DATA_MODEL_SINGLE,
  ARRAY: commonV1.DataModel.DATA_MODEL_ARRAY,
  DICTIONARY: commonV1.DataModel.DATA_MODEL_DICTIONARY,
};

const ACCESS_POLICIES: Record<KindDefinition['accessControl'], commonV1.AccessPolicy> = {
  'USER-MATCH': commonV1.AccessPolicy.ACCESS_POLICY_USER_MATCH,
  'NODE-MATCH': commonV1.AccessPolicy.ACCESS_POLICY_NODE_MATCH,
  'USER-NODE-MATCH': commonV1.AccessPolicy.ACCESS_POLICY_USER_NODE_MATCH,
  'NODE-MULTIPLE': commonV1.AccessPolicy.ACCESS_POLICY_NODE_MULTIPLE,
  'NODE-ID-MATCH': commonV1.AccessPolicy.ACCESS_POLICY_NODE_ID_MATCH,
};

export function kindInfoToProto(kind: KindDefinition): peerV1.KindInfo {
  return {
    id: kind.id,
    name: kind.name ?? '',
    dataModel: DATA_MODELS[kind.dataModel],
    accessPolicy: ACCESS_POLICIES[kind.accessControl],
    maxCount: kind.maxCount,
    maxSize: kind.maxSize,
    maxNodeMultiple: kind.maxNodeMultiple ?? 0,
  };
}

export function kindInfoFromProto(proto: peerV1.KindInfo): KindDefinition {
  const dataModel = keyOf(DATA_MODELS, proto.dataModel);
  const accessControl = keyOf(ACCESS_POLICIES, proto.accessPolicy);
  if (!dataModel || !accessControl)
    throw new UndecodableError(`kind ${proto.id} has an unknown model or policy`);
  return {
    id: proto.id,
    ...(proto.name ? { name: proto.name } : {}),
    dataModel,
    accessControl,
    maxCount: proto.maxCount,
    maxSize: proto.maxSize,
    ...(proto.maxNodeMultiple > 0 ? { maxNodeMultiple: proto.maxNodeMultiple } : {}),
  };
}

function keyOf<K extends string, V>(table: Record<K, V>, value: V): K | undefined {
  return (Object.keys(table) as K[]).find((key) => table[key] === value);
}
