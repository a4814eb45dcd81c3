import {
  generateKeyPair,
  issueNodeCertificate,
  nodeIdFromHex,
  parseCertificate,
  type ReloadCertificate,
} from '@p2psip/identity';
import { type TestPki, createTestPki } from '@p2psip/testing';
import { createCertificateTrust } from './certificate-trust';

const OVERLAY = 'p2psip.test';
const MINUTE = 60_000;

let pki: TestPki;
let foreign: TestPki;

beforeAll(async () => {
  pki = await createTestPki(OVERLAY);
  foreign = await createTestPki(OVERLAY);
}, 30_000);

async function issue(
  init: { notBefore?: Date; validityMs?: number; userName?: string } = {},
): Promise<ReloadCertificate> {
  const keys = await generateKeyPair();
  return issueNodeCertificate({
    authority: pki.authority,
    publicKey: keys.publicKey,
    overlay: OVERLAY,
    nodeIds: [
      nodeIdFromHex('0c51a942f50c828aef82a5af83e8ed59'),
      nodeIdFromHex('6c1cfd6d5d9e35557d66a1b05f9e2247'),
    ],
    userName: init.userName ?? `alice@${OVERLAY}`,
    ...(init.notBefore ? { notBefore: init.notBefore } : {}),
    ...(init.validityMs ? { validityMs: init.validityMs } : {}),
  });
}

describe('createCertificateTrust', () => {
  it('reads the same signer facts as the full X.509 parser', async () => {
    const certificate = await issue({ userName: 'a.l,i"ce@p2psip.test' });
    const trust = createCertificateTrust({
      caCertificateDer: pki.authority.certificate.der,
      overlay: OVERLAY,
    });
    const signer = trust.signerOf(certificate.der, Date.now());
    const parsed = parseCertificate(certificate.der);
    expect(signer).toMatchObject({
      serialNumber: parsed.serialNumber,
      userName: parsed.userName,
      nodeIds: parsed.nodeIds,
      notBeforeMs: parsed.notBefore.getTime(),
      notAfterMs: parsed.notAfter.getTime(),
    });
  });

  it('ignores Node-IDs of other overlays', async () => {
    const certificate = await issue();
    const trust = createCertificateTrust({
      caCertificateDer: pki.authority.certificate.der,
      overlay: 'other.test',
    });
    expect(trust.signerOf(certificate.der, Date.now())?.nodeIds).toEqual([]);
  });

  it('refuses certificates of another CA, the CA itself, garbage, revoked ones and those out of validity', async () => {
    const now = Date.now();
    const trust = createCertificateTrust({
      caCertificateDer: pki.authority.certificate.der,
      overlay: OVERLAY,
      isRevoked: (c) => c.serialNumber === revoked.serialNumber,
    });
    const revoked = await issue();
    expect(trust.signerOf((await foreign.issue()).certificate.der, now)).toBeUndefined();
    expect(trust.signerOf(pki.authority.certificate.der, now)).toBeUndefined();
    expect(trust.signerOf(Buffer.from('not a certificate'), now)).toBeUndefined();
    expect(trust.signerOf(revoked.der, now)).toBeUndefined();
    const expired = await issue({ notBefore: new Date(now - 10 * MINUTE), validityMs: MINUTE });
    expect(trust.signerOf(expired.der, now)).toBeUndefined();
  });

  it('tolerates 5 minutes of clock skew on notBefore, not more', async () => {
    const now = Date.now();
    const trust = createCertificateTrust({
      caCertificateDer: pki.authority.certificate.der,
      overlay: OVERLAY,
    });
    const soon = await issue({ notBefore: new Date(now + 2 * MINUTE) });
    const later = await issue({ notBefore: new Date(now + 10 * MINUTE) });
    expect(trust.signerOf(soon.der, now)).toBeDefined();
    expect(trust.signerOf(later.der, now)).toBeUndefined();
  });
});
