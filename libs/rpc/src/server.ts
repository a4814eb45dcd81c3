import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import {
  type MethodDefinition,
  Server,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type UntypedHandleCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import { type CallContext, type ServiceHandlers, openCallContext } from './handlers';
import { addReflection } from './reflection';
import { isDomainError, toServiceError } from './status-mapping';
import { type ClientAuth, type TlsIdentity, serverCredentials } from './tls';

/** A service to serve: a ts-proto definition and handlers for all its methods. */
export interface ServiceBinding<D extends ServiceDefinition = ServiceDefinition> {
  readonly definition: D;
  readonly handlers: ServiceHandlers<D>;
}

/** Binds handlers to a definition with the handler types checked against it. */
export function bindService<D extends ServiceDefinition>(
  definition: D,
  handlers: ServiceHandlers<D>,
): ServiceBinding {
  return { definition, handlers };
}

export interface RpcServerInit {
  readonly tls: TlsIdentity;
  /** @default 'required' */
  readonly clientAuth?: ClientAuth;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  readonly services: readonly ServiceBinding[];
  readonly logger: Logger;
  /** Where `p2psip_rpc_server_*` metrics go; omitted, nothing is recorded. */
  readonly metrics?: Registry;
  /** Largest request accepted, bytes. @default 4 MiB (grpc-js default) */
  readonly maxReceiveMessageBytes?: number;
}

export interface RpcServer {
  readonly port: number;
  /** `host:port` as clients dial it. */
  readonly address: string;
  /** Sets the `grpc.health.v1` status of one service, or of the server as a whole with `''`. */
  setHealth(service: string, status: ServingStatus): void;
  /** Stops accepting calls, lets running ones finish for up to `graceMs`, then cuts the rest. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/**
 * Starts a gRPC server with mutual TLS, the standard health service (`grpc.health.v1.Health`),
 * server reflection, and one place where handler failures become gRPC statuses, are logged and
 * counted.
 */
export async function startRpcServer(init: RpcServerInit): Promise<RpcServer> {
  const server = new Server({
    'grpc.max_receive_message_length': init.maxReceiveMessageBytes ?? 4 * 1024 * 1024,
    // Pings on idle connections find clients that vanished without a TCP reset.
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5_000,
  });
  const shutdown = new AbortController();
  const instruments = init.metrics ? createInstruments(init.metrics) : undefined;
  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  health.addToServer(server);
  addReflection(server);
  for (const binding of init.services) {
    server.addService(
      binding.definition,
      wrapService(binding, { logger: init.logger, instruments, signal: shutdown.signal }),
    );
    health.setStatus(serviceNameOf(binding.definition), 'SERVING');
  }
  const host = init.host ?? '127.0.0.1';
  const port = await bind(server, `${host}:${init.port ?? 0}`, serverCredentials(init.tls, init.clientAuth));
  disableNagleOnAccept(server);
  health.setStatus('', 'SERVING');
  init.logger.info({ address: `${host}:${port}` }, 'gRPC server listening');
  return {
    port,
    address: `${host}:${port}`,
    setHealth: (service, status) => health.setStatus(service, status),
    stop: (options) => stopServer(server, health, shutdown, options?.graceMs ?? 5000),
  };
}

interface Instruments {
  readonly handled: Counter<'method' | 'code'>;
  readonly duration: Histogram<'method'>;
}

/**
 * The server's instruments in `registry`. Several servers of one process (virtual peers) share a
 * registry, so an instrument that is already there is reused rather than registered twice.
 */
function createInstruments(registry: Registry): Instruments {
  const handled =
    (registry.getSingleMetric('p2psip_rpc_server_handled_total') as Counter<'method' | 'code'> | undefined) ??
    new Counter({
      name: 'p2psip_rpc_server_handled_total',
      help: 'gRPC calls completed by the server, by method and status code',
      labelNames: ['method', 'code'],
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric('p2psip_rpc_server_handling_seconds') as Histogram<'method'> | undefined) ??
    new Histogram({
      name: 'p2psip_rpc_server_handling_seconds',
      help: 'Time from receiving a gRPC call to its completion',
      labelNames: ['method'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    });
  return { handled, duration };
}

interface WrapDeps {
  readonly logger: Logger;
  readonly instruments: Instruments | undefined;
  readonly signal: AbortSignal;
}

function wrapService(binding: ServiceBinding, deps: WrapDeps): Record<string, UntypedHandleCall> {
  const wrapped: Record<string, UntypedHandleCall> = {};
  const handlers = binding.handlers as Record<string, (...args: never[]) => unknown>;
  for (const [name, method] of Object.entries(binding.definition)) {
    const handler = handlers[name];
    if (typeof handler !== 'function') throw new Error(`no handler for ${method.path}`);
    wrapped[name] = wrapMethod(method, handler, deps);
  }
  return wrapped;
}

function wrapMethod(
  method: MethodDefinition<unknown, unknown>,
  handler: (...args: never[]) => unknown,
  deps: WrapDeps,
): UntypedHandleCall {
  const observe = (started: bigint, error: unknown, dispose: () => void): void => {
    dispose();
    recordOutcome(method.path, started, error, deps);
  };
  if (!method.requestStream && !method.responseStream) {
    const run = handler as unknown as (request: unknown, context: CallContext) => Promise<unknown>;
    return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const started = process.hrtime.bigint();
      const { context, dispose } = openCallContext(call, method.path, deps.signal);
      settle(() => run(call.request, context)).then(
        (response) => {
          observe(started, undefined, dispose);
          callback(null, response);
        },
        (error: unknown) => {
          observe(started, error, dispose);
          callback(toServiceError(error));
        },
      );
    };
  }
  if (!method.requestStream && method.responseStream) {
    const run = handler as unknown as (request: unknown, context: CallContext) => AsyncIterable<unknown>;
    return (call: ServerWritableStream<unknown, unknown>) => {
      const started = process.hrtime.bigint();
      const { context, dispose } = openCallContext(call, method.path, deps.signal);
      settle(() => pump(run(call.request, context), call, context.signal)).then(
        () => {
          observe(started, undefined, dispose);
          call.end();
        },
        (error: unknown) => {
          observe(started, error, dispose);
          failStream(call, error);
        },
      );
    };
  }
  if (method.requestStream && !method.responseStream) {
    const run = handler as unknown as (
      requests: AsyncIterable<unknown>,
      context: CallContext,
    ) => Promise<unknown>;
    return (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const started = process.hrtime.bigint();
      const { context, dispose } = openCallContext(call, method.path, deps.signal);
      settle(() => run(call, context)).then(
        (response) => {
          observe(started, undefined, dispose);
          callback(null, response);
        },
        (error: unknown) => {
          observe(started, error, dispose);
          callback(toServiceError(error));
        },
      );
    };
  }
  const run = handler as unknown as (
    call: ServerDuplexStream<unknown, unknown>,
    context: CallContext,
  ) => Promise<void>;
  return (call: ServerDuplexStream<unknown, unknown>) => {
    const started = process.hrtime.bigint();
    const { context, dispose } = openCallContext(call, method.path, deps.signal);
    settle(() => run(call, context)).then(
      () => {
        observe(started, undefined, dispose);
        if (!call.writableEnded) call.end();
      },
      (error: unknown) => {
        observe(started, error, dispose);
        failStream(call, error);
      },
    );
  };
}

/**
 * Ends a streaming call with the error's status. grpc-js turns an 'error' event on a server stream
 * into the trailing status; destroy() would tear the stream down before any status is sent, and
 * the client would wait for an answer that never comes.
 */
function failStream(call: NodeJS.EventEmitter, error: unknown): void {
  call.emit('error', toServiceError(error));
}

/** Runs a handler so that a synchronous throw becomes a rejection, mapped like any other failure. */
function settle<T>(work: () => Promise<T>): Promise<T> {
  try {
    return work();
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Writes every item of a handler's stream to the call, honouring back-pressure and abort. */
async function pump(
  items: AsyncIterable<unknown>,
  call: ServerWritableStream<unknown, unknown>,
  signal: AbortSignal,
): Promise<void> {
  for await (const item of items) {
    if (signal.aborted) return;
    if (!call.write(item)) await drainedOrGone(call, signal);
  }
}

/** Waits for back-pressure to clear, or for the caller to go away (then the pump stops). */
function drainedOrGone(call: ServerWritableStream<unknown, unknown>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      call.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.once('drain', done);
    call.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

function recordOutcome(path: string, started: bigint, error: unknown, deps: WrapDeps): void {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const code = error === undefined ? 'OK' : String(toServiceError(error).code);
  deps.instruments?.handled.inc({ method: path, code });
  deps.instruments?.duration.observe({ method: path }, seconds);
  if (error === undefined) return;
  // Caller mistakes are routine (debug); anything else is our failure and must be seen (error).
  if (isDomainError(error)) deps.logger.debug({ method: path, err: error }, 'call refused');
  else deps.logger.error({ method: path, err: error }, 'call failed');
}

function serviceNameOf(definition: ServiceDefinition): string {
  const first = Object.values(definition)[0];
  return first ? (first.path.split('/')[1] ?? '') : '';
}

/**
 * grpc-js turns Nagle's algorithm off on the connections it dials but not on those it accepts, so
 * the server half of a long-lived stream (the acceptor's side of every overlay link) could hold a
 * small frame back until the dialler's delayed ACK (up to 40 ms). grpc-js offers no option for
 * it; its HTTP/2 servers are reached through the one private field below, and a missing field
 * only means the old behaviour.
 */
function disableNagleOnAccept(server: Server): void {
  const http2Servers = (server as unknown as { http2Servers?: Map<EventEmitter, unknown> }).http2Servers;
  for (const http2Server of http2Servers?.keys() ?? []) {
    http2Server.on('connection', (socket: Socket) => socket.setNoDelay(true));
  }
}

function bind(
  server: Server,
  address: string,
  credentials: ReturnType<typeof serverCredentials>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port)));
  });
}

async function stopServer(
  server: Server,
  health: HealthImplementation,
  shutdown: AbortController,
  graceMs: number,
): Promise<void> {
  health.setStatus('', 'NOT_SERVING');
  const graceful = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  if ((await Promise.race([graceful, timer])) === 'timeout') {
    shutdown.abort(new Error('server stopping'));
    server.forceShutdown();
  }
  shutdown.abort(new Error('server stopped'));
}
