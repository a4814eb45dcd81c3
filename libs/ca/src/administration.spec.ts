import { createCertificateAuthority, createCsr, generateKeyPair, revokedSerials } from '@p2psip/identity';
import { Administration, parseRevocationTarget } from './administration';
import { Enroller, type EnrollmentPolicy } from './enroller';
import { CertificateNotFoundError, InvalidRequestError, UserExistsError } from './errors';
import { RevocationListCache } from './revocation-list-cache';
import type { CertificateRecord } from './store';
import { MemoryEnrollmentStore } from './store';

const overlay = 'p2psip.test';
const kdf = { N: 1024, r: 8, p: 1 };
const policy: EnrollmentPolicy = {
  overlay,
  allowedDomains: [overlay],
  selfRegistration: false,
  maxNodeIdsPerUser: 4,
  certificateValidityMs: 86_400_000,
};

describe('ca — administration', () => {
  it('adds users in allowed domains, once, with a usable password', async () => {
    const store = new MemoryEnrollmentStore();
    const admin = new Administration({ store, policy: () => policy }, { kdf });
    const user = await admin.addUser('Bob@P2PSIP.test', 'pw');
    expect(user.userName).toBe('Bob@p2psip.test');
    await expect(admin.addUser('Bob@p2psip.test', 'pw')).rejects.toThrow(UserExistsError);
    await expect(admin.addUser('eve@elsewhere.test', 'pw')).rejects.toThrow(InvalidRequestError);
    await expect(admin.addUser('eve@p2psip.test', '')).rejects.toThrow(InvalidRequestError);
    await expect(admin.addUser('config-signer@p2psip.test', 'pw')).rejects.toThrow(InvalidRequestError);
    await expect(admin.addUser('Admin@P2PSIP.test', 'pw')).rejects.toThrow(InvalidRequestError);
  });

  it('revokes by serial or Node-ID, reports each revocation once, and the CRL lists them', async () => {
    const store = new MemoryEnrollmentStore();
    const authority = await createCertificateAuthority({ overlay });
    const revoked: CertificateRecord[] = [];
    const crl = new RevocationListCache({ store, authority });
    const admin = new Administration(
      { store, policy: () => policy, onRevoked: (r) => (crl.invalidate(), revoked.push(r)) },
      { kdf },
    );
    const enroller = new Enroller({ store, authority, policy: () => policy }, { kdf });
    await admin.addUser(`alice@${overlay}`, 'pw');
    const enroll = async () =>
      enroller.enroll({
        userName: `alice@${overlay}`,
        password: 'pw',
        csr: (await createCsr(await generateKeyPair())).der,
      });
    const first = await enroll();
    const second = await enroll();
    const third = await enroll();

    expect(revokedSerials(await crl.get())).toEqual([]);
    await admin.revoke({ serialNumber: first.serialNumber }, 'key_compromise');
    await admin.revoke({ serialNumber: first.serialNumber }, 'again');
    expect(revoked.map((r) => r.serialNumber)).toEqual([first.serialNumber]);
    expect(revokedSerials(await crl.get())).toEqual([first.serialNumber]);

    const byNode = await admin.revoke({ nodeId: first.nodeIds[0] ?? '' });
    expect(byNode.map((r) => r.serialNumber).sort()).toEqual(
      [second.serialNumber, third.serialNumber].sort(),
    );
    expect(revokedSerials(await crl.get()).sort()).toEqual(
      [first, second, third].map((r) => r.serialNumber).sort(),
    );
    expect(await admin.stats()).toEqual({
      users: 1,
      usersDisabled: 0,
      certificatesIssued: 3,
      certificatesRevoked: 3,
      certificatesActive: 0,
    });

    await expect(admin.revoke({ serialNumber: 'abcdef' })).rejects.toThrow(CertificateNotFoundError);
    await expect(admin.revoke({ nodeId: '0'.repeat(31) + '1' })).rejects.toThrow(CertificateNotFoundError);
  });

  it('disables a user and optionally revokes its certificates', async () => {
    const store = new MemoryEnrollmentStore();
    const authority = await createCertificateAuthority({ overlay });
    const admin = new Administration({ store, policy: () => policy }, { kdf });
    const enroller = new Enroller({ store, authority, policy: () => policy }, { kdf });
    await admin.addUser(`alice@${overlay}`, 'pw');
    await enroller.enroll({
      userName: `alice@${overlay}`,
      password: 'pw',
      csr: (await createCsr(await generateKeyPair())).der,
    });
    const { user, revoked } = await admin.setDisabled(`alice@${overlay}`, true, { revokeCertificates: true });
    expect(user.disabled).toBe(true);
    expect(revoked).toHaveLength(1);
    expect((await admin.stats()).usersDisabled).toBe(1);
  });

  it('reads revocation targets from operator input', () => {
    expect(parseRevocationTarget('0C51A942F50C828AEF82A5AF83E8ED59')).toEqual({
      nodeId: '0c51a942f50c828aef82a5af83e8ed59',
    });
    expect(parseRevocationTarget('4a:0b:ff')).toEqual({ serialNumber: '4a0bff' });
    expect(() => parseRevocationTarget('not-hex')).toThrow(InvalidRequestError);
  });
});
