import type {
  Metadata,
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
} from '@grpc/grpc-js';
import type { EventEmitter } from 'node:events';
import { type PeerIdentity, peerIdentityOf } from './peer-identity';

/** What a handler knows about the call besides the request. */
export interface CallContext {
  /** Full method path, e.g. `/p2psip.diagnostics.v1.DiagnosticsService/Ping`. */
  readonly method: string;
  /** Aborted when the caller cancels, its deadline passes, or the server shuts down. */
  readonly signal: AbortSignal;
  /** The caller's certificate identity; undefined when it presented none (optional client auth). */
  readonly peer: PeerIdentity | undefined;
  readonly metadata: Metadata;
}

export type UnaryHandler<Req, Res> = (request: Req, context: CallContext) => Promise<Res>;
export type ServerStreamHandler<Req, Res> = (request: Req, context: CallContext) => AsyncIterable<Res>;
export type ClientStreamHandler<Req, Res> = (
  requests: AsyncIterable<Req>,
  context: CallContext,
) => Promise<Res>;
/**
 * Long-lived bidirectional streams (overlay links, client attachment) get the raw duplex call: the
 * two directions are independent, which an iterable-in/iterable-out shape would hide.
 */
export type BidiHandler<Req, Res> = (
  call: ServerDuplexStream<Req, Res>,
  context: CallContext,
) => Promise<void>;

interface MethodShape<RS extends boolean, SS extends boolean, Req, Res> {
  readonly path: string;
  readonly requestStream: RS;
  readonly responseStream: SS;
  requestDeserialize(bytes: Buffer): Req;
  responseSerialize(value: Res): Buffer;
}

/** The handler type that fits one method of a generated service definition. */
export type HandlerFor<M> =
  M extends MethodShape<false, false, infer Req, infer Res>
    ? UnaryHandler<Req, Res>
    : M extends MethodShape<false, true, infer Req, infer Res>
      ? ServerStreamHandler<Req, Res>
      : M extends MethodShape<true, false, infer Req, infer Res>
        ? ClientStreamHandler<Req, Res>
        : M extends MethodShape<true, true, infer Req, infer Res>
          ? BidiHandler<Req, Res>
          : never;

/** Handlers for every method of a ts-proto service definition (`XxxServiceService`). */
export type ServiceHandlers<D> = { [K in keyof D]: HandlerFor<D[K]> };

type AnyCall =
  | ServerUnaryCall<unknown, unknown>
  | ServerWritableStream<unknown, unknown>
  | ServerReadableStream<unknown, unknown>
  | ServerDuplexStream<unknown, unknown>;

/**
 * Builds the context of a call; its signal follows the call's cancellation and the server's.
 * `dispose` must run when the handler settles: unary calls emit neither 'close' nor 'finish', so a
 * listener left on the server's signal would leak one per call.
 */
export function openCallContext(
  call: AnyCall,
  method: string,
  serverSignal: AbortSignal,
): { context: CallContext; dispose(): void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort(new Error(`call ${method} cancelled`));
  // The four call types are EventEmitters with incompatible overload sets; use the common base.
  const events = call as unknown as EventEmitter;
  events.once('cancelled', abort);
  if (serverSignal.aborted) abort();
  else serverSignal.addEventListener('abort', abort, { once: true });
  let peer: PeerIdentity | undefined | null = null;
  const context: CallContext = {
    method,
    signal: controller.signal,
    get peer() {
      // Parsed on first use: most handlers never look, and parsing costs a DER decode.
      if (peer === null) peer = peerIdentityOf(call);
      return peer;
    },
    metadata: call.metadata,
  };
  return {
    context,
    dispose: () => {
      serverSignal.removeEventListener('abort', abort);
      events.removeListener('cancelled', abort);
    },
  };
}
