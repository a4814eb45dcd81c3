import { type TempDir, type TestPki, createTempDir, createTestPki } from '@p2psip/testing';
import { obtainIdentity } from './obtain-identity';
import { writeIdentity } from './identity-dir';

// The paths that need no enrollment server; enrolling the missing Node-IDs for real is covered by
// tools/e2e/src/peer-count-growth.int.spec.ts.
describe('enrollment-client — obtainIdentity', () => {
  let dir: TempDir;
  let pki: TestPki;

  beforeEach(async () => {
    dir = await createTempDir('obtain-identity');
    pki = await createTestPki();
    const node = await pki.issue({ userName: 'peer1@p2psip.test' });
    await writeIdentity(
      dir.path,
      { certificate: node.certificate, certPem: node.certPem, keyPem: node.keyPem },
      pki.caPem,
    );
  });

  afterEach(() => dir.remove());

  const base = () => ({ dir: dir.path, caPem: pki.caPem, enrollmentUrl: 'https://127.0.0.1:9/enroll' });

  it('uses the stored identity when it holds enough Node-IDs', async () => {
    const identity = await obtainIdentity({ ...base(), nodeIdCount: 1 });
    expect(identity.enrolled).toBe(false);
  });

  it('asks for credentials when the stored identity holds too few Node-IDs', async () => {
    await expect(obtainIdentity({ ...base(), nodeIdCount: 3 })).rejects.toMatchObject({
      code: 'CREDENTIALS_NEEDED',
    });
  });

  it('refuses to grow an identity as another user', async () => {
    await expect(
      obtainIdentity({ ...base(), nodeIdCount: 3, userName: 'peer2@p2psip.test', password: 'pw' }),
    ).rejects.toMatchObject({ code: 'USER_MISMATCH' });
  });
});
