import {
  type CallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  type Client,
  type ClientReadableStream,
  type ClientUnaryCall,
  Metadata,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { RpcCallError } from './errors';
import { fromServiceError } from './status-mapping';

/** Every call has a deadline; this one applies when the caller gives none. */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

export interface RpcCallOptions {
  /** Cancels the call; the promise or iteration rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Relative deadline in ms. @default DEFAULT_CALL_TIMEOUT_MS */
  readonly timeoutMs?: number;
  readonly metadata?: Metadata;
}

type ClientConstructor<C extends Client> = new (
  address: string,
  credentials: ChannelCredentials,
  options?: Partial<ChannelOptions>,
) => C;

/** A client of a generated service (`XxxServiceClient`) on `host:port`. */
export function createClient<C extends Client>(
  constructor: ClientConstructor<C>,
  address: string,
  credentials: ChannelCredentials,
  options: Partial<ChannelOptions> = {},
): C {
  // Nodes are dialled by IP; grpc-js would send that IP as TLS SNI, which RFC 6066 forbids (Node
  // warns). Our checkServerIdentity never looks at the name, so a fixed SNI name is harmless.
  return new constructor(address, credentials, {
    'grpc.ssl_target_name_override': 'p2psip.invalid',
    ...options,
  });
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

type StreamMethod<Req, Res> = (
  request: Req,
  metadata?: Metadata,
  options?: Partial<CallOptions>,
) => ClientReadableStream<Res>;

/** Names of the client's unary methods (the overload with metadata, options and callback). */
export type UnaryMethodName<C> = {
  [K in keyof C]: C[K] extends UnaryMethod<infer _Req, infer _Res> ? K : never;
}[keyof C] &
  string;
export type ServerStreamMethodName<C> = {
  [K in keyof C]: C[K] extends StreamMethod<infer _Req, infer _Res>
    ? C[K] extends UnaryMethod<unknown, unknown>
      ? never
      : K
    : never;
}[keyof C] &
  string;

type RequestOf<F> =
  F extends UnaryMethod<infer Req, infer _Res>
    ? Req
    : F extends StreamMethod<infer Req, infer _Res>
      ? Req
      : never;
type ResponseOf<F> = F extends UnaryMethod<infer _Req, infer Res> ? Res : never;
type StreamItemOf<F> = F extends StreamMethod<infer _Req, infer Res> ? Res : never;

function deadlineOf(options: RpcCallOptions): Date {
  return new Date(Date.now() + (options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS));
}

/** The rejection of an aborted call: the signal's reason when it is an Error, as fetch does. */
function abortedError(signal: AbortSignal, method: string): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new RpcCallError({ code: 'ABORTED', grpcStatus: status.CANCELLED, message: 'call aborted', method });
}

/**
 * Calls a unary method with a deadline and an optional AbortSignal; failures reject with an
 * RpcCallError (status, server's code, RELOAD code), or with the signal's reason on abort.
 */
export function callUnary<C extends Client, K extends UnaryMethodName<C>>(
  client: C,
  method: K,
  request: RequestOf<C[K]>,
  options: RpcCallOptions = {},
): Promise<ResponseOf<C[K]>> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(abortedError(signal, method));
  return new Promise((resolve, reject) => {
    const invoke = client[method] as unknown as UnaryMethod<RequestOf<C[K]>, ResponseOf<C[K]>>;
    const onAbort = (): void => call.cancel();
    const call = invoke.call(
      client,
      request,
      options.metadata ?? new Metadata(),
      { deadline: deadlineOf(options) },
      (error, response) => {
        signal?.removeEventListener('abort', onAbort);
        if (!error) resolve(response);
        else if (signal?.aborted) reject(abortedError(signal, method));
        else reject(fromServiceError(error, method));
      },
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Calls a server-streaming method and yields its messages. Stopping the iteration early, the
 * signal, or the deadline cancel the call.
 */
export async function* callServerStream<C extends Client, K extends ServerStreamMethodName<C>>(
  client: C,
  method: K,
  request: RequestOf<C[K]>,
  options: RpcCallOptions = {},
): AsyncGenerator<StreamItemOf<C[K]>> {
  const { signal } = options;
  if (signal?.aborted) throw abortedError(signal, method);
  const invoke = client[method] as unknown as StreamMethod<RequestOf<C[K]>, StreamItemOf<C[K]>>;
  const call = invoke.call(client, request, options.metadata ?? new Metadata(), {
    deadline: deadlineOf(options),
  });
  const onAbort = (): void => call.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const item of call) yield item as StreamItemOf<C[K]>;
  } catch (error) {
    if (signal?.aborted) throw abortedError(signal, method);
    throw isServiceError(error) ? fromServiceError(error, method) : error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    call.cancel();
  }
}

function isServiceError(error: unknown): error is ServiceError {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    'details' in error &&
    'metadata' in error
  );
}
