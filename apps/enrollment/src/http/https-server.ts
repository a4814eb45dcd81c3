import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@p2psip/telemetry';
import { Counter, type Registry } from 'prom-client';

/** One route's answer: status, headers and body, sent by the server in one place. */
export interface HttpAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Uint8Array | string;
}

export type RouteHandler = (
  request: IncomingMessage,
  context: { readonly logger: Logger },
) => Promise<HttpAnswer>;

export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly handler: RouteHandler;
}

export interface HttpsServerInit {
  readonly certPem: string;
  readonly keyPem: string;
  readonly routes: readonly Route[];
  readonly logger: Logger;
  readonly metrics: Registry;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
}

export interface RunningHttpsServer {
  readonly port: number;
  readonly address: string;
  stop(): Promise<void>;
}

/**
 * The enrollment server's HTTPS endpoint. Every request gets a request id (the client's
 * `x-request-id` or a new one), one log line and a metric; a handler that throws answers 500
 * without taking the server down.
 */
export async function startHttpsServer(init: HttpsServerInit): Promise<RunningHttpsServer> {
  const requests = new Counter({
    name: 'p2psip_enrollment_http_requests_total',
    help: 'HTTPS requests by route and status',
    labelNames: ['route', 'status'],
    registers: [init.metrics],
  });
  const server = createServer(
    {
      cert: init.certPem,
      key: init.keyPem,
      minVersion: 'TLSv1.2',
      requestTimeout: 30_000,
      headersTimeout: 10_000,
    },
    (request, response) => void serve(init, requests, request, response),
  );
  // A TLS client that sends garbage must cost a log line at most.
  server.on('tlsClientError', (error) => init.logger.debug({ err: error }, 'TLS handshake failed'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(init.port ?? 0, init.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  return { port, address: `${address}:${port}`, stop: () => closeServer(server) };
}

async function serve(
  init: HttpsServerInit,
  requests: Counter<'route' | 'status'>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const requestId = headerValue(request, 'x-request-id') ?? randomUUID();
  const logger = init.logger.child({ requestId });
  const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
  const matching = init.routes.filter((route) => route.path === path);
  const route = matching.find((candidate) => candidate.method === request.method);
  let answer: HttpAnswer;
  if (!route) {
    request.resume();
    answer = matching.length > 0 ? text(405, 'method not allowed') : text(404, 'not found');
  } else {
    try {
      answer = await route.handler(request, { logger });
    } catch (error) {
      logger.error({ err: error, path }, 'request failed');
      answer = text(500, 'internal error');
    }
  }
  requests.inc({ route: route ? path : 'other', status: String(answer.status) });
  logger.info({ method: request.method, path, status: answer.status }, 'request');
  if (response.writableEnded) return;
  response.writeHead(answer.status, {
    'content-type': answer.contentType,
    'x-request-id': requestId,
    ...(matching.length > 0 && !route ? { allow: matching.map((r) => r.method).join(', ') } : {}),
  });
  response.end(answer.body);
}

export function text(status: number, body: string): HttpAnswer {
  return { status, contentType: 'text/plain; charset=utf-8', body: `${body}\n` };
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first && /^[\w.:-]{1,128}$/.test(first) ? first : undefined;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
