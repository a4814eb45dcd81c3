import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** Liveness and readiness as the ops endpoint reports them. */
export interface HealthProbe {
  /** True when the service can do its work (dependencies reachable, listeners up). */
  ready(): boolean;
}

export interface OpsServerInit {
  readonly registry: Registry;
  readonly health: HealthProbe;
  readonly logger: Logger;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
}

export interface OpsServer {
  readonly port: number;
  readonly address: string;
  stop(): Promise<void>;
}

/**
 * The operator's HTTP endpoint of a service: `GET /metrics` (Prometheus text format),
 * `GET /healthz` (200 while the process runs) and `GET /readyz` (200 when ready, else 503).
 */
export async function startOpsServer(init: OpsServerInit): Promise<OpsServer> {
  const server = createServer((request, response) => {
    handle(init, request, response).catch((error: unknown) => {
      init.logger.error({ err: error }, 'ops endpoint failed');
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await listen(server, init.host ?? '127.0.0.1', init.port ?? 0);
  const { port, address } = server.address() as AddressInfo;
  return {
    port,
    address: `${address}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Scrapers keep connections alive; close them so stopping does not wait for their timeout.
        server.closeAllConnections();
      }),
  };
}

async function handle(
  init: OpsServerInit,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = (request.url ?? '/').split('?', 1)[0];
  if (request.method !== 'GET') {
    response.writeHead(405, { allow: 'GET' }).end();
  } else if (path === '/metrics') {
    const body = await init.registry.metrics();
    response.writeHead(200, { 'content-type': init.registry.contentType }).end(body);
  } else if (path === '/healthz') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else if (path === '/readyz') {
    const ready = init.health.ready();
    response
      .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
      .end(ready ? 'ready\n' : 'not ready\n');
  } else {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
