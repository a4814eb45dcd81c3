import type { NodeId } from '@p2psip/identity';
import type { MessageBody, OverlayMessage } from '@p2psip/overlay';
import { commonV1, overlayV1 } from '@p2psip/proto';
import { type LinkAgreement, RELOAD_VERSION, overlayHash } from '../link-hello';
import type { MessageCodec } from '../message-codec';
import type { BodyMapper, ProtoCase } from './body-mapper';
import { CORE_BODY_MAPPERS } from './core-bodies';
import { decodeDestination, encodeDestination } from './ids';
import { type MessageSigner, isReceivedWire, prepareSigner, signMessage } from './message-signing';

/** The body a decoder hands the core for a oneof case nobody registered: the core answers it. */
export const UNKNOWN_BODY_TYPE = 'unknown';

export interface ProtobufCodecInit {
  readonly agreement: LinkAgreement;
  /** Bodies beyond the core's (e.g. the storage lib's Store/Fetch). */
  readonly extraMappers?: readonly BodyMapper[];
  /** Signs the messages this node originates (requests and answers); unset = unsigned. */
  readonly signer?: MessageSigner;
}

/**
 * The wire form of overlay messages (DESIGN.md §2): RELOAD's ForwardingHeader fields, and the body
 * as a serialized MessageContents in `contents`, so the bytes a signature covers travel untouched.
 */
export function createProtobufCodec(init: ProtobufCodecInit): MessageCodec {
  const byType = new Map<string, BodyMapper>();
  const byCase = new Map<ProtoCase, BodyMapper>();
  for (const mapper of [...CORE_BODY_MAPPERS, ...(init.extraMappers ?? [])]) {
    byType.set(mapper.type, mapper);
    byCase.set(mapper.protoCase, mapper);
  }
  const hash = overlayHash(init.agreement.overlay);
  const signer = init.signer ? prepareSigner(init.signer) : undefined;
  return {
    encode(message, peerLinkTo) {
      const { contents, security } = isReceivedWire(message.wire)
        ? // Forwarded: the originator's bytes and signature travel on untouched.
          { contents: message.wire.contents, security: message.wire.security }
        : originate(message, peerLinkTo !== undefined && onlyFor(message, peerLinkTo));
      return {
        header: {
          overlay: hash,
          configurationSequence: init.agreement.configurationSequence(),
          version: RELOAD_VERSION,
          ttl: message.header.ttl,
          transactionId: message.header.transactionId,
          maxResponseLength: message.header.maxResponseLength ?? 0,
          viaList: message.header.via.map(encodeDestination),
          destinationList: message.header.destinations.map(encodeDestination),
          options: [],
        },
        contents: Buffer.from(contents),
        security,
      };
    },
    decode(message) {
      try {
        const header = message.header;
        if (!header || header.overlay !== hash || header.version !== RELOAD_VERSION) return undefined;
        const certificates = (message.security?.certificates ?? []).map((c) => c.certificateDer);
        const body = decodeBody(
          overlayV1.MessageContents.decode(message.contents).body,
          byCase,
          certificates,
        );
        if (!body) return undefined;
        return {
          header: {
            ttl: header.ttl,
            transactionId: header.transactionId,
            via: header.viaList.map(decodeDestination),
            destinations: header.destinationList.map(decodeDestination),
            ...(header.maxResponseLength > 0 ? { maxResponseLength: header.maxResponseLength } : {}),
          },
          body,
          wire: { contents: message.contents, security: message.security, overlay: header.overlay },
        } satisfies OverlayMessage;
      } catch {
        // Malformed protobuf, wrong id lengths, missing parts: dropped at the edge (Link contract).
        return undefined;
      }
    },
  };

  function originate(
    message: OverlayMessage,
    unsigned: boolean,
  ): {
    contents: Uint8Array;
    security: overlayV1.SecurityBlock | undefined;
  } {
    const mapper = byType.get(message.body.type);
    if (!mapper) throw new Error(`no wire mapping for body type ${message.body.type}`);
    const contents = overlayV1.MessageContents.encode({
      body: mapper.encode(message.body),
      extensions: [],
    }).finish();
    const certificates = mapper.certificates?.(message.body) ?? [];
    const security =
      signer && !unsigned
        ? signMessage(signer, hash, message.header.transactionId, contents, certificates)
        : securityBlockFor(certificates);
    return { contents, security };
  }
}

/**
 * True when the peer at the other end of the link is the message's only destination, so it reads
 * the message as it comes from its originator (empty via list) and checks no signature.
 */
function onlyFor(message: OverlayMessage, peer: NodeId): boolean {
  const [only, ...more] = message.header.destinations;
  return more.length === 0 && message.header.via.length === 0 && only?.kind === 'node' && only.id === peer;
}

function decodeBody(
  body: overlayV1.MessageContents['body'],
  byCase: Map<ProtoCase, BodyMapper>,
  certificates: readonly Uint8Array[],
): MessageBody | undefined {
  if (!body) return { type: UNKNOWN_BODY_TYPE };
  const mapper = byCase.get(body.$case);
  return mapper ? mapper.decode(body, certificates) : { type: UNKNOWN_BODY_TYPE };
}

/** A SecurityBlock carrying certificates only (originator signatures are not applied yet). */
function securityBlockFor(certificates: readonly Uint8Array[]): overlayV1.SecurityBlock | undefined {
  if (certificates.length === 0) return undefined;
  return {
    certificates: certificates.map((der) => ({
      type: commonV1.CertificateType.CERTIFICATE_TYPE_X509,
      certificateDer: Buffer.from(der),
    })),
    signature: undefined,
  };
}
