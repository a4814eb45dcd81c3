import { type Client, loadPackageDefinition, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import path from 'node:path';
import { type NodeId, idToBytes, randomNodeId } from '@p2psip/identity';
import { diagnosticsV1 } from '@p2psip/proto';
import { silentLogger, createMetricsRegistry } from '@p2psip/telemetry';
import { type TestNodeIdentity, type TestPki, createTestPki } from '@p2psip/testing';
import { callServerStream, callUnary, createClient } from './client';
import { RpcCallError } from './errors';
import { createHealthClient } from './health-check';
import { HealthWatch } from './health-watch';
import type { CallContext } from './handlers';
import { type RpcServer, bindService, startRpcServer } from './server';
import { type ClientAuth, clientCredentials } from './tls';

const { DiagnosticsServiceClient, DiagnosticsServiceService } = diagnosticsV1;

interface Harness {
  server: RpcServer;
  serverIdentity: TestNodeIdentity;
  seen: CallContext[];
}

// A diagnostics service whose handlers exercise what the RPC layer must do.
async function startDiagnostics(
  pki: TestPki,
  clientAuth: ClientAuth = 'required',
  registry = createMetricsRegistry(),
): Promise<Harness> {
  const serverIdentity = await pki.issue({ userName: 'peer@p2psip.test' });
  const seen: CallContext[] = [];
  const server = await startRpcServer({
    tls: serverIdentity,
    clientAuth,
    logger: silentLogger(),
    metrics: registry,
    services: [
      bindService(DiagnosticsServiceService, {
        ping: async (request, context) => {
          seen.push(context);
          const payload = Buffer.from(request.payload).toString();
          if (payload === 'forbidden') {
            throw Object.assign(new Error('not your resource'), {
              kind: 'forbidden',
              code: 'NOT_YOURS',
              reloadErrorCode: 2,
            });
          }
          if (payload === 'crash') throw new Error('secret internal detail');
          if (payload === 'hang') {
            await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
            throw new Error('aborted');
          }
          return {
            payload: request.payload,
            timeMs: BigInt(Date.now()),
            callerNodeIds: (context.peer?.nodeIds ?? []).map((id) => idToBytes(id)),
            callerUsername: context.peer?.userName ?? '',
          };
        },
        tracePath: async function* (request, context) {
          seen.push(context);
          if (request.destinationId.length !== 16) {
            throw Object.assign(new Error('destination_id must be 16 bytes'), {
              kind: 'invalid-argument',
              code: 'BAD_ID',
            });
          }
          for (let hop = 1; hop <= 1000; hop++) {
            yield {
              hop: {
                hop,
                nodeId: Buffer.alloc(16, hop),
                address: '',
                latencyMs: hop / 10,
                responsible: hop === 1000,
              },
            };
          }
        },
        getNodeInfo: () =>
          Promise.reject(Object.assign(new Error('no peer hosted'), { kind: 'not-found', code: 'NO_PEER' })),
        listStoredResources: () => Promise.resolve({ resources: [], nextPageToken: '' }),
        probeRoute: () =>
          Promise.reject(
            Object.assign(new Error('no overlay here'), { kind: 'unavailable', code: 'NO_OVERLAY' }),
          ),
      }),
    ],
  });
  return { server, serverIdentity, seen };
}

function diagnosticsClient(
  address: string,
  identity: TestNodeIdentity | { caPem: string },
  expectedNodeId?: NodeId,
) {
  return createClient(
    DiagnosticsServiceClient,
    address,
    clientCredentials(identity, expectedNodeId ? { expectedNodeId } : {}),
  );
}

const ping = (client: InstanceType<typeof DiagnosticsServiceClient>, payload: string, options = {}) =>
  callUnary(client, 'ping', { payload: Buffer.from(payload) }, { timeoutMs: 5000, ...options });

async function expectRefused(promise: Promise<unknown>): Promise<void> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as RpcCallError | undefined;
  expect(error).toBeInstanceOf(RpcCallError);
  expect(error?.grpcStatus).toBe(status.UNAVAILABLE);
}

describe('rpc — mutual TLS', () => {
  let pki: TestPki;
  let harness: Harness;
  const clients: Client[] = [];

  beforeAll(async () => {
    pki = await createTestPki();
    harness = await startDiagnostics(pki);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await harness.server.stop();
  });

  const track = <C extends Client>(client: C): C => (clients.push(client), client);

  it('serves a client whose certificate comes from the overlay CA, and reads its Node-ID from it', async () => {
    const alice = await pki.issue({ userName: 'alice@dht.example.com' });
    const client = track(diagnosticsClient(harness.server.address, alice));
    const answer = await ping(client, 'hello');
    expect(Buffer.from(answer.payload).toString()).toBe('hello');
    expect(answer.callerNodeIds.map((id) => Buffer.from(id).toString('hex'))).toEqual(
      alice.nodeIds.map((id) => idToBytes(id).toString('hex')),
    );
    expect(answer.callerUsername).toBe('alice@dht.example.com');
  });

  it('refuses a client without a certificate', async () => {
    const client = track(diagnosticsClient(harness.server.address, { caPem: pki.caPem }));
    await expectRefused(ping(client, 'hello'));
  });

  it('refuses a client whose certificate comes from another CA', async () => {
    const stranger = await (await createTestPki()).issue();
    const client = track(diagnosticsClient(harness.server.address, { ...stranger, caPem: pki.caPem }));
    await expectRefused(ping(client, 'hello'));
  });

  it('refuses a TLS 1.2 handshake', async () => {
    const alice = await pki.issue();
    const outcome = await new Promise<string>((resolve) => {
      const socket = tlsConnect({
        host: '127.0.0.1',
        port: harness.server.port,
        ca: pki.caPem,
        cert: alice.certPem,
        key: alice.keyPem,
        maxVersion: 'TLSv1.2',
        ALPNProtocols: ['h2'],
        servername: 'p2psip-node',
        checkServerIdentity: () => undefined,
      });
      socket.once('secureConnect', () => (socket.destroy(), resolve('connected')));
      socket.once('error', (error: Error) => resolve(error.message));
    });
    expect(outcome).not.toBe('connected');
  });

  it('checks the Node-ID of the server when the caller names one', async () => {
    const alice = await pki.issue();
    const right = track(diagnosticsClient(harness.server.address, alice, harness.serverIdentity.nodeIds[0]));
    await expect(ping(right, 'x')).resolves.toBeDefined();
    const wrong = track(diagnosticsClient(harness.server.address, alice, randomNodeId()));
    await expectRefused(ping(wrong, 'x'));
  });

  it('accepts only the pinned server certificate when the caller pins one', async () => {
    const alice = await pki.issue();
    const pinned = track(
      createClient(
        DiagnosticsServiceClient,
        harness.server.address,
        clientCredentials(alice, { expectedFingerprint: harness.serverIdentity.certificate.fingerprint }),
      ),
    );
    await expect(ping(pinned, 'x')).resolves.toBeDefined();
    const other = track(
      createClient(
        DiagnosticsServiceClient,
        harness.server.address,
        clientCredentials(alice, { expectedFingerprint: alice.certificate.fingerprint }),
      ),
    );
    await expectRefused(ping(other, 'x'));
  });

  it('does not accept a server certificate from another CA', async () => {
    const other = await createTestPki();
    const client = track(diagnosticsClient(harness.server.address, await other.issue()));
    await expectRefused(ping(client, 'x'));
  });
});

describe('rpc — optional client certificates (enrollment)', () => {
  it('serves unauthenticated callers without an identity, and never trusts a foreign certificate', async () => {
    const pki = await createTestPki();
    const harness = await startDiagnostics(pki, 'optional');
    const anonymous = diagnosticsClient(harness.server.address, { caPem: pki.caPem });
    const stranger = await (await createTestPki()).issue({ userName: 'mallory@evil.test' });
    const foreign = diagnosticsClient(harness.server.address, { ...stranger, caPem: pki.caPem });
    try {
      expect((await ping(anonymous, 'a')).callerNodeIds).toEqual([]);
      const answer = await ping(foreign, 'b');
      expect(answer.callerNodeIds).toEqual([]);
      expect(answer.callerUsername).toBe('');
    } finally {
      anonymous.close();
      foreign.close();
      await harness.server.stop();
    }
  });
});

describe('rpc — deadlines, cancellation, errors', () => {
  let pki: TestPki;
  let harness: Harness;
  let client: InstanceType<typeof DiagnosticsServiceClient>;
  const registry = createMetricsRegistry({ processMetrics: false });

  beforeAll(async () => {
    pki = await createTestPki();
    harness = await startDiagnostics(pki, 'required', registry);
    client = diagnosticsClient(harness.server.address, await pki.issue());
  });

  afterAll(async () => {
    client.close();
    await harness.server.stop();
  });

  it('fails a call at its deadline and aborts the handler', async () => {
    const error = (await ping(client, 'hang', { timeoutMs: 300 }).catch((e: unknown) => e)) as RpcCallError;
    expect(error).toBeInstanceOf(RpcCallError);
    expect(error.grpcStatus).toBe(status.DEADLINE_EXCEEDED);
    expect(error.code).toBe('GRPC_DEADLINE_EXCEEDED');
    await waitFor(() => harness.seen.at(-1)?.signal.aborted === true);
  });

  it('cancels a call through its AbortSignal and aborts the handler', async () => {
    const controller = new AbortController();
    const call = ping(client, 'hang', { signal: controller.signal });
    await waitFor(() => harness.seen.length > 0 && harness.seen.at(-1)?.signal.aborted === false);
    controller.abort(new Error('user pressed Ctrl-C'));
    await expect(call).rejects.toThrow('user pressed Ctrl-C');
    await waitFor(() => harness.seen.at(-1)?.signal.aborted === true);
  });

  it('rejects at once when the signal is already aborted', async () => {
    await expect(ping(client, 'x', { signal: AbortSignal.abort(new Error('too late')) })).rejects.toThrow(
      'too late',
    );
  });

  it('maps a domain error to a status and gives the client its codes back', async () => {
    const error = (await ping(client, 'forbidden').catch((e: unknown) => e)) as RpcCallError;
    expect(error.grpcStatus).toBe(status.PERMISSION_DENIED);
    expect(error.code).toBe('NOT_YOURS');
    expect(error.reloadErrorCode).toBe(2);
    expect(error.message).toBe('not your resource');
    expect(error.method).toBe('ping');
  });

  it('maps an error a handler throws synchronously like any other', async () => {
    const error = (await callUnary(client, 'getNodeInfo', { nodeId: Buffer.alloc(0) }).catch(
      (e: unknown) => e,
    )) as RpcCallError;
    expect([error.grpcStatus, error.code]).toEqual([status.NOT_FOUND, 'NO_PEER']);
  });

  it('hides unexpected failures behind INTERNAL', async () => {
    const error = (await ping(client, 'crash').catch((e: unknown) => e)) as RpcCallError;
    expect(error.grpcStatus).toBe(status.INTERNAL);
    expect(error.message).toBe('internal error');
    expect(error.message).not.toContain('secret');
  });

  it('streams server messages and cancels when the consumer stops early', async () => {
    const hops: number[] = [];
    for await (const event of callServerStream(client, 'tracePath', {
      destinationId: Buffer.alloc(16),
      nodeId: Buffer.alloc(0),
    })) {
      hops.push(event.hop?.hop ?? 0);
      if (hops.length === 3) break;
    }
    expect(hops).toEqual([1, 2, 3]);
    await waitFor(() => harness.seen.at(-1)?.signal.aborted === true);
  });

  it('ends a stream whose handler fails with the mapped status', async () => {
    const stream = callServerStream(
      client,
      'tracePath',
      { destinationId: Buffer.alloc(3), nodeId: Buffer.alloc(0) },
      { timeoutMs: 3000 },
    );
    const error = (await stream.next().catch((e: unknown) => e)) as RpcCallError;
    expect([error.grpcStatus, error.code]).toEqual([status.INVALID_ARGUMENT, 'BAD_ID']);
  });

  it('records handled calls by method and status code', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(
      /p2psip_rpc_server_handled_total\{method="\/p2psip\.diagnostics\.v1\.DiagnosticsService\/Ping",code="7"\} 1/,
    );
    expect(text).toContain('p2psip_rpc_server_handling_seconds_bucket');
  });
});

describe('rpc — health and reflection', () => {
  let pki: TestPki;
  let harness: Harness;
  let identity: TestNodeIdentity;

  beforeAll(async () => {
    pki = await createTestPki();
    harness = await startDiagnostics(pki);
    identity = await pki.issue();
  });

  afterAll(() => harness.server.stop());

  function genericClient(protoFile: string, includeDir: string, service: string[]): Client {
    const definition = loadPackageDefinition(
      loadSync(protoFile, { includeDirs: [includeDir], keepCase: true, enums: String }),
    );
    let constructor: unknown = definition;
    for (const part of service) constructor = (constructor as Record<string, unknown>)[part];
    const Ctor = constructor as new (address: string, creds: ReturnType<typeof clientCredentials>) => Client;
    return new Ctor(harness.server.address, clientCredentials(identity));
  }

  it('answers grpc.health.v1 checks for the server and each service', async () => {
    const health = genericClient(path.basename(healthProtoPath), path.dirname(healthProtoPath), [
      'grpc',
      'health',
      'v1',
      'Health',
    ]);
    const check = (service: string) =>
      new Promise<{ status: string }>((resolve, reject) =>
        (
          health as unknown as {
            check: (r: object, cb: (e: Error | null, r: { status: string }) => void) => void;
          }
        ).check({ service }, (error, response) => (error ? reject(error) : resolve(response))),
      );
    expect((await check('')).status).toBe('SERVING');
    expect((await check('p2psip.diagnostics.v1.DiagnosticsService')).status).toBe('SERVING');
    await expect(check('p2psip.nope.v1.Nope')).rejects.toThrow(/NOT_FOUND|5/);
    harness.server.setHealth('', 'NOT_SERVING');
    expect((await check('')).status).toBe('NOT_SERVING');
    harness.server.setHealth('', 'SERVING');
    health.close();
  });

  it('follows a server through a standing Health.Watch: pushed changes, and its end', async () => {
    const other = await startDiagnostics(pki);
    const watch = new HealthWatch(createHealthClient(other.server.address, clientCredentials(identity)));
    expect(await watch.probe()).toBe(true);
    other.server.setHealth('', 'NOT_SERVING');
    await waitUntil(async () => !(await watch.probe()));
    other.server.setHealth('', 'SERVING');
    await waitUntil(() => watch.probe());
    await other.server.stop({ graceMs: 0 });
    // The stream ends with the server; the next probes find nobody there.
    await waitUntil(async () => !(await watch.probe({ timeoutMs: 500 })));
    expect(await watch.probe({ timeoutMs: 500 })).toBe(false);
    watch.close();
  });

  it('lists every contract service through server reflection', async () => {
    const reflectionDir = path.join(
      path.dirname(require.resolve('@grpc/reflection/package.json')),
      'build',
      'proto',
    );
    const reflection = genericClient('grpc/reflection/v1/reflection.proto', reflectionDir, [
      'grpc',
      'reflection',
      'v1',
      'ServerReflection',
    ]);
    const call = (
      reflection as unknown as {
        ServerReflectionInfo: () => NodeJS.ReadWriteStream & { end(): void; write(m: object): void };
      }
    ).ServerReflectionInfo();
    const answer = new Promise<{ list_services_response: { service: { name: string }[] } }>(
      (resolve, reject) => {
        call.once('data', resolve);
        call.once('error', reject);
      },
    );
    call.write({ list_services: '' });
    const services = (await answer).list_services_response.service.map((s) => s.name);
    call.end();
    reflection.close();
    expect(services).toEqual(
      expect.arrayContaining([
        'grpc.health.v1.Health',
        'p2psip.diagnostics.v1.DiagnosticsService',
        'p2psip.enrollment.v1.EnrollmentService',
        'p2psip.overlay.v1.OverlayLinkService',
      ]),
    );
  });

  it('keeps serving after a client sends garbage instead of TLS', async () => {
    await new Promise<void>((resolve) => {
      const socket = netConnect(harness.server.port, '127.0.0.1', () => {
        socket.end(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
      });
      socket.on('close', () => resolve());
      socket.on('error', () => undefined);
    });
    const client = diagnosticsClient(harness.server.address, identity);
    await expect(ping(client, 'still here')).resolves.toBeDefined();
    client.close();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Polls `condition` every 20 ms for up to 5 s. */
async function waitUntil(condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
