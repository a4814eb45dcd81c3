import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { statSync } from 'node:fs';
import { type TempDir, createTempDir, createTestPki } from '@p2psip/testing';
import { identityFiles, readIdentity, writeIdentity } from './identity-dir';

describe('enrollment-client — identity dir', () => {
  let dir: TempDir;

  beforeEach(async () => {
    dir = await createTempDir('identity');
  });

  afterEach(() => dir.remove());

  it('reads back what it wrote, with the key readable by the owner only', async () => {
    const pki = await createTestPki();
    const node = await pki.issue();
    const target = path.join(dir.path, 'node');
    expect(await readIdentity(target)).toBeUndefined();
    await writeIdentity(
      target,
      { certificate: node.certificate, certPem: node.certPem, keyPem: node.keyPem },
      pki.caPem,
    );
    const stored = await readIdentity(target);
    expect(stored?.certificate.fingerprint).toBe(node.certificate.fingerprint);
    expect(stored?.caPem).toBe(pki.caPem);
    expect(statSync(identityFiles(target).key).mode & 0o777).toBe(0o600);
  });

  it('reports a damaged identity instead of using it', async () => {
    const pki = await createTestPki();
    const node = await pki.issue();
    await writeIdentity(
      dir.path,
      { certificate: node.certificate, certPem: node.certPem, keyPem: node.keyPem },
      pki.caPem,
    );
    await writeFile(identityFiles(dir.path).cert, 'not a certificate');
    await expect(readIdentity(dir.path)).rejects.toMatchObject({ code: 'IDENTITY_DAMAGED' });
  });
});
