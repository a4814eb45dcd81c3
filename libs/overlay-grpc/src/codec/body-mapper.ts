import type { MessageBody } from '@p2psip/overlay';
import type { overlayV1 } from '@p2psip/proto';

export type ProtoBody = NonNullable<overlayV1.MessageContents['body']>;
export type ProtoCase = ProtoBody['$case'];

/**
 * Maps one message body between the core and protobuf. The core's bodies are registered by this
 * lib; other libs (storage) register theirs, so the codec stays one place that knows the wire.
 */
export interface BodyMapper {
  /** The core's body type, e.g. `ping_req`. */
  readonly type: string;
  /** The MessageContents oneof case, e.g. `pingReq`. */
  readonly protoCase: ProtoCase;
  encode(body: MessageBody): ProtoBody;
  /**
   * Throws UndecodableError (or returns undefined) for a body that does not fit the model.
   * `certificates` are the DER certificates of the message's SecurityBlock.
   */
  decode(body: ProtoBody, certificates: readonly Uint8Array[]): MessageBody | undefined;
  /** Certificates the body's signed values need; they travel in the SecurityBlock (RFC 6940 §6.3.4). */
  certificates?(body: MessageBody): readonly Uint8Array[];
}

/** A mapper from two typed functions, so each body's mapping reads as one small pair. */
export function bodyMapper<B extends MessageBody, C extends ProtoCase>(
  type: B['type'],
  protoCase: C,
  encode: (body: B) => Extract<ProtoBody, { $case: C }>[C & keyof Extract<ProtoBody, { $case: C }>],
  decode: (proto: Extract<ProtoBody, { $case: C }>[C & keyof Extract<ProtoBody, { $case: C }>]) => B,
): BodyMapper {
  return {
    type,
    protoCase,
    encode: (body) => ({ $case: protoCase, [protoCase]: encode(body as B) }) as unknown as ProtoBody,
    decode: (proto) => decode((proto as unknown as Record<string, never>)[protoCase]),
  };
}
