import { status } from '@grpc/grpc-js';
import { createCsr, exportPrivateKeyPem, generateKeyPair, parseCertificate } from '@p2psip/identity';
import { REDIR_CONFIG_NAMESPACE, parseConfigurationDocument } from '@p2psip/overlay-config';
import { enrollmentV1 } from '@p2psip/proto';
import { RpcCallError, callUnary, clientCredentials, createClient } from '@p2psip/rpc';
import { silentLogger } from '@p2psip/telemetry';
import { type TempDir, createTempDir } from '@p2psip/testing';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { connectAdmin } from './admin/admin-client';
import { type RunningEnrollmentServer, serve } from './serve';
import { initState } from './state/init-state';

const overlay = 'p2psip.test';

describe('enrollment — gRPC services', () => {
  let work: TempDir;
  let server: RunningEnrollmentServer;
  let caPem: string;

  beforeAll(async () => {
    work = await createTempDir('enrollment-grpc');
    await initState({ dir: work.path, overlay });
    server = await serve(
      {
        dir: work.path,
        host: '127.0.0.1',
        httpsPort: 0,
        grpcPort: 0,
        metricsPort: 0,
        certificateValidityMs: 86_400_000,
        signingWorkers: 0,
      },
      silentLogger(),
    );
    caPem = readFileSync(path.join(work.path, 'ca.pem'), 'utf8');
    const admin = await connectAdmin(work.path);
    await callUnary(admin, 'addUser', { username: `alice@${overlay}`, password: 'pw' });
    admin.close();
  });

  afterAll(async () => {
    await server.stop();
    await work.remove();
  });

  async function enrollOverGrpc(password: string) {
    const keys = await generateKeyPair();
    const client = createClient(
      enrollmentV1.EnrollmentServiceClient,
      server.endpoints.grpc,
      clientCredentials({ caPem }),
    );
    try {
      const answer = await callUnary(client, 'enroll', {
        username: `alice@${overlay}`,
        password,
        nodeIdCount: 1,
        csrDer: (await createCsr(keys)).der,
      });
      return {
        certificate: parseCertificate(answer.certificateDer),
        keyPem: await exportPrivateKeyPem(keys.privateKey),
      };
    } finally {
      client.close();
    }
  }

  it('enrolls over gRPC without a client certificate', async () => {
    const { certificate } = await enrollOverGrpc('pw');
    expect(certificate.userName).toBe(`alice@${overlay}`);
    expect(certificate.nodeIds).toHaveLength(1);
  });

  it('sends the RFC 6940 token as the status details of a refused enrollment', async () => {
    const error = (await enrollOverGrpc('wrong').catch((e: unknown) => e)) as RpcCallError;
    expect(error).toBeInstanceOf(RpcCallError);
    expect(error.grpcStatus).toBe(status.UNAUTHENTICATED);
    expect(error.message).toBe('failed_authentication');
  });

  it('refuses admin calls without a certificate, and with an ordinary node certificate', async () => {
    const anonymous = createClient(
      enrollmentV1.EnrollmentAdminServiceClient,
      server.endpoints.grpc,
      clientCredentials({ caPem }),
    );
    const { certificate, keyPem } = await enrollOverGrpc('pw');
    const alice = createClient(
      enrollmentV1.EnrollmentAdminServiceClient,
      server.endpoints.grpc,
      clientCredentials({ caPem, certPem: certificate.pem, keyPem }),
    );
    try {
      const noCert = (await callUnary(anonymous, 'getStats', {}).catch((e: unknown) => e)) as RpcCallError;
      expect([noCert.grpcStatus, noCert.code]).toEqual([status.UNAUTHENTICATED, 'ADMIN_CREDENTIAL_REQUIRED']);
      const notAdmin = (await callUnary(alice, 'addUser', {
        username: `mallory@${overlay}`,
        password: 'x',
      }).catch((e: unknown) => e)) as RpcCallError;
      expect([notAdmin.grpcStatus, notAdmin.code]).toEqual([status.PERMISSION_DENIED, 'NOT_ADMIN']);
    } finally {
      anonymous.close();
      alice.close();
    }
  });

  it('serves the configuration document and the CA over gRPC', async () => {
    const client = createClient(
      enrollmentV1.EnrollmentServiceClient,
      server.endpoints.grpc,
      clientCredentials({ caPem }),
    );
    try {
      const configuration = await callUnary(client, 'getConfiguration', {});
      expect(Buffer.from(configuration.document).toString()).toContain(`instance-name="${overlay}"`);
      expect(configuration.sequence).toBeGreaterThanOrEqual(1);
      // ReDiR (RFC 7374) is part of every new overlay: its kind, its namespace, its branching factor.
      const parsed = parseConfigurationDocument(configuration.document).configuration;
      expect(parsed.kinds.find((kind) => kind.id === 0x104)).toMatchObject({
        name: 'REDIR',
        dataModel: 'DICTIONARY',
        accessControl: 'NODE-ID-MATCH',
      });
      expect(parsed.redirBranchingFactor).toBe(10);
      expect(parsed.mandatoryExtensions).toContain(REDIR_CONFIG_NAMESPACE);
      const ca = await callUnary(client, 'getCaCertificate', {});
      expect(parseCertificate(ca.certificatesDer[0] ?? Buffer.alloc(0)).pem).toBe(
        parseCertificate(caPem).pem,
      );
    } finally {
      client.close();
    }
  });
});
