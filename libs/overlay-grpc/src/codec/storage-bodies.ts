import { idToBytes, type ResourceId, resourceIdFromBytes } from '@p2psip/identity';
import type { MessageBody } from '@p2psip/overlay';
import type { overlayV1 } from '@p2psip/proto';
import type {
  FetchAnswer,
  FetchRequest,
  FindAnswer,
  FindRequest,
  StatAnswer,
  StatRequest,
  StoreAnswer,
  StoreKindData,
  StoreRequest,
} from '@p2psip/storage';
import type { BodyMapper, ProtoBody } from './body-mapper';
import { UndecodableError, nodeIdBytes, nodeIdsOf } from './ids';
import {
  CertificateIndex,
  certificatesOf,
  metaDataFromProto,
  metaDataToProto,
  specifierFromProto,
  specifierToProto,
  storedValueFromProto,
  storedValueToProto,
} from './storage-values';

// The storage methods (RFC 6940 §7.4) on the wire. Signed values name their signer's certificate by
// hash; the certificates themselves travel once per message in the SecurityBlock.

function resourceIdOf(bytes: Uint8Array): ResourceId {
  try {
    return resourceIdFromBytes(bytes);
  } catch {
    throw new UndecodableError(`a Resource-ID has ${bytes.length} bytes, not 16`);
  }
}

export function kindDataToProto(data: StoreKindData): overlayV1.StoreKindData {
  return { kind: data.kind, generationCounter: data.generation, values: data.values.map(storedValueToProto) };
}

export function kindDataFromProto(
  proto: overlayV1.StoreKindData,
  certificates: CertificateIndex,
): StoreKindData {
  return {
    kind: proto.kind,
    generation: proto.generationCounter,
    values: proto.values.map((v) => storedValueFromProto(v, certificates)),
  };
}

/** One mapper per storage body; the shape mirrors body-mapper's `bodyMapper` with certificates. */
function mapper<B extends MessageBody>(
  type: B['type'],
  protoCase: ProtoBody['$case'],
  encode: (body: B) => unknown,
  decode: (proto: never, certificates: CertificateIndex) => B,
  certificates?: (body: B) => readonly Uint8Array[],
): BodyMapper {
  return {
    type,
    protoCase,
    encode: (body) => ({ $case: protoCase, [protoCase]: encode(body as B) }) as unknown as ProtoBody,
    decode: (proto, certs) =>
      decode((proto as unknown as Record<string, never>)[protoCase], new CertificateIndex(certs)),
    ...(certificates ? { certificates: (body: MessageBody) => certificates(body as B) } : {}),
  };
}

export const STORAGE_BODY_MAPPERS: readonly BodyMapper[] = [
  mapper<StoreRequest>(
    'store_req',
    'storeReq',
    (b): overlayV1.StoreReq => ({
      resourceId: idToBytes(b.resourceId),
      replicaNumber: b.replicaNumber,
      kindData: b.kindData.map(kindDataToProto),
    }),
    (p: overlayV1.StoreReq, certs) => ({
      type: 'store_req',
      resourceId: resourceIdOf(p.resourceId),
      replicaNumber: p.replicaNumber,
      kindData: p.kindData.map((k) => kindDataFromProto(k, certs)),
    }),
    (b) => certificatesOf(b.kindData.flatMap((k) => k.values)),
  ),
  mapper<StoreAnswer>(
    'store_ans',
    'storeAns',
    (b): overlayV1.StoreAns => ({
      kindResponses: b.kindResponses.map((k) => ({
        kind: k.kind,
        generationCounter: k.generation,
        replicas: nodeIdBytes(k.replicas),
      })),
    }),
    (p: overlayV1.StoreAns) => ({
      type: 'store_ans',
      kindResponses: p.kindResponses.map((k) => ({
        kind: k.kind,
        generation: k.generationCounter,
        replicas: nodeIdsOf(k.replicas),
      })),
    }),
  ),
  mapper<FetchRequest>(
    'fetch_req',
    'fetchReq',
    (b): overlayV1.FetchReq => ({
      resourceId: idToBytes(b.resourceId),
      specifiers: b.specifiers.map(specifierToProto),
    }),
    (p: overlayV1.FetchReq) => ({
      type: 'fetch_req',
      resourceId: resourceIdOf(p.resourceId),
      specifiers: p.specifiers.map(specifierFromProto),
    }),
  ),
  mapper<FetchAnswer>(
    'fetch_ans',
    'fetchAns',
    (b): overlayV1.FetchAns => ({
      kindResponses: b.kindResponses.map((k) => ({
        kind: k.kind,
        generation: k.generation,
        values: k.values.map(storedValueToProto),
      })),
    }),
    (p: overlayV1.FetchAns, certs) => ({
      type: 'fetch_ans',
      kindResponses: p.kindResponses.map((k) => ({
        kind: k.kind,
        generation: k.generation,
        values: k.values.map((v) => storedValueFromProto(v, certs)),
      })),
    }),
    (b) => certificatesOf(b.kindResponses.flatMap((k) => k.values)),
  ),
  mapper<StatRequest>(
    'stat_req',
    'statReq',
    (b): overlayV1.StatReq => ({
      resourceId: idToBytes(b.resourceId),
      specifiers: b.specifiers.map(specifierToProto),
    }),
    (p: overlayV1.StatReq) => ({
      type: 'stat_req',
      resourceId: resourceIdOf(p.resourceId),
      specifiers: p.specifiers.map(specifierFromProto),
    }),
  ),
  mapper<StatAnswer>(
    'stat_ans',
    'statAns',
    (b): overlayV1.StatAns => ({
      kindResponses: b.kindResponses.map((k) => ({
        kind: k.kind,
        generation: k.generation,
        values: k.values.map(metaDataToProto),
        replicas: nodeIdBytes(k.replicas),
      })),
    }),
    (p: overlayV1.StatAns) => ({
      type: 'stat_ans',
      kindResponses: p.kindResponses.map((k) => ({
        kind: k.kind,
        generation: k.generation,
        values: k.values.map(metaDataFromProto),
        replicas: nodeIdsOf(k.replicas),
      })),
    }),
  ),
  mapper<FindRequest>(
    'find_req',
    'findReq',
    (b): overlayV1.FindReq => ({ resourceId: idToBytes(b.resourceId), kinds: [...b.kinds] }),
    (p: overlayV1.FindReq) => ({ type: 'find_req', resourceId: resourceIdOf(p.resourceId), kinds: p.kinds }),
  ),
  mapper<FindAnswer>(
    'find_ans',
    'findAns',
    (b): overlayV1.FindAns => ({
      results: b.results.map((r) => ({
        kind: r.kind,
        closestResourceId: r.closest === undefined ? Buffer.alloc(0) : idToBytes(r.closest),
      })),
    }),
    (p: overlayV1.FindAns) => ({
      type: 'find_ans',
      results: p.results.map((r) => ({
        kind: r.kind,
        closest: r.closestResourceId.length === 0 ? undefined : resourceIdOf(r.closestResourceId),
      })),
    }),
  ),
];
