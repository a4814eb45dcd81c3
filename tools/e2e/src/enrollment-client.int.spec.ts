import path from 'node:path';
import { createCertificateAuthority } from '@p2psip/identity';
import {
  EnrollmentClientError,
  enroll,
  fetchConfiguration,
  readIdentity,
  writeIdentity,
} from '@p2psip/enrollment-client';
import { type TempDir, createTempDir } from '@p2psip/testing';
import { type RunningEnrollment, startEnrollment } from './support/enrollment-server';
import { runBinOk } from './support/run-bin';

const overlay = 'p2psip.test';

// How every node gets in: verified configuration, RFC 6940 enrollment, identity on disk.
describe('e2e — enrollment client against the real server', () => {
  let work: TempDir;
  let server: RunningEnrollment;
  let configurationUrl: string;

  beforeAll(async () => {
    work = await createTempDir('enrollment-client');
    const dir = path.join(work.path, 'ca');
    await runBinOk('p2psip-enrollment', 'init', '--overlay', overlay, '--dir', dir);
    server = await startEnrollment(dir, ['--signing-workers', '1']);
    await runBinOk(
      'p2psip-enrollment',
      'user',
      'add',
      `peer@${overlay}`,
      '--password',
      'fleet secret',
      '--dir',
      dir,
    );
    configurationUrl = `https://${server.endpoints.https}/.well-known/reload-config`;
  });

  afterAll(async () => {
    await server.app.stop();
    await work.remove();
  });

  it('fetches and verifies the configuration, enrolls, and keeps the identity on disk', async () => {
    const { configuration } = await fetchConfiguration({ url: configurationUrl, caPem: server.caPem });
    expect(configuration.instanceName).toBe(overlay);
    const [enrollmentUrl] = configuration.enrollmentServers;
    const identity = await enroll({
      enrollmentUrl: enrollmentUrl ?? '',
      caPem: server.caPem,
      userName: `peer@${overlay}`,
      password: 'fleet secret',
      nodeIdCount: 3,
    });
    expect(identity.certificate.nodeIds).toHaveLength(3);
    expect(identity.certificate.userName).toBe(`peer@${overlay}`);

    const dir = path.join(work.path, 'identity');
    expect(await readIdentity(dir)).toBeUndefined();
    await writeIdentity(dir, identity, server.caPem);
    const stored = await readIdentity(dir);
    expect(stored?.certificate.fingerprint).toBe(identity.certificate.fingerprint);
    expect(stored?.keyPem).toBe(identity.keyPem);
  });

  it('reports the RFC token when the server refuses', async () => {
    const error = (await enroll({
      enrollmentUrl: `https://${server.endpoints.https}/enroll`,
      caPem: server.caPem,
      userName: `peer@${overlay}`,
      password: 'wrong',
    }).catch((e: unknown) => e)) as EnrollmentClientError & { token?: string };
    expect(error.code).toBe('ENROLLMENT_REFUSED');
    expect(error.token).toBe('failed_authentication');
  });

  it('refuses a configuration server whose certificate comes from another CA', async () => {
    const stranger = await createCertificateAuthority({ overlay });
    await expect(
      fetchConfiguration({ url: configurationUrl, caPem: stranger.certificate.pem }),
    ).rejects.toMatchObject({ code: 'UNREACHABLE' });
  });
});
