import {
  type CertificateAuthority,
  createCertificateAuthority,
  createCsr,
  generateKeyPair,
  idToHex,
  parseCertificate,
} from '@p2psip/identity';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { Enroller, type EnrollmentPolicy } from './enroller';
import { EnrollmentFailureError } from './errors';
import { FailedAttempts } from './failed-attempts';
import { hashPassword } from './password';
import type { CertificateRecord } from './store';
import { MemoryEnrollmentStore } from './store';

const overlay = 'p2psip.test';
const kdf = { N: 1024, r: 8, p: 1 };

describe('ca — enrollment rules', () => {
  let authority: CertificateAuthority;
  let store: MemoryEnrollmentStore;
  let policy: EnrollmentPolicy;
  let issued: CertificateRecord[];
  let refused: string[];
  let enroller: Enroller;

  beforeAll(async () => {
    authority = await createCertificateAuthority({ overlay });
  });

  beforeEach(async () => {
    store = new MemoryEnrollmentStore();
    policy = {
      overlay,
      allowedDomains: [overlay],
      selfRegistration: false,
      maxNodeIdsPerUser: 4,
      certificateValidityMs: 86_400_000,
    };
    issued = [];
    refused = [];
    enroller = new Enroller(
      {
        store,
        authority,
        policy: () => policy,
        onIssued: (r) => issued.push(r),
        onRefused: (f) => refused.push(f.token),
      },
      { kdf, failedAttempts: new FailedAttempts({ maxFailures: 3 }) },
    );
    await store.addUser({
      userName: `alice@${overlay}`,
      passwordHash: await hashPassword('secret', kdf),
      disabled: false,
      nodeIds: [],
      createdAtMs: 0,
      updatedAtMs: 0,
    });
  });

  const csr = async () => (await createCsr(await generateKeyPair(), { userName: 'mallory@evil.test' })).der;
  const tokenOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'issued',
      (error: unknown) => (error instanceof EnrollmentFailureError ? error.token : String(error)),
    );

  it('issues a certificate naming the user and its Node-IDs, ignoring names in the CSR', async () => {
    const result = await enroller.enroll({
      userName: `alice@${overlay}`,
      password: 'secret',
      nodeIdCount: 2,
      csr: await csr(),
    });
    const certificate = parseCertificate(result.certificateDer);
    expect(certificate.userName).toBe(`alice@${overlay}`);
    expect(certificate.nodeIds.map(idToHex)).toEqual(result.nodeIds);
    expect(result.nodeIds).toHaveLength(2);
    expect(issued.map((r) => r.serialNumber)).toEqual([result.serialNumber]);
    expect(await store.getCertificate(result.serialNumber)).toMatchObject({ userName: `alice@${overlay}` });
  });

  it('gives the same Node-IDs on re-enrollment, and keeps the first when more are asked', async () => {
    const first = await enroller.enroll({
      userName: `alice@${overlay}`,
      password: 'secret',
      csr: await csr(),
    });
    const again = await enroller.enroll({
      userName: `ALICE@P2PSIP.TEST`.replace('ALICE', 'alice'),
      password: 'secret',
      csr: await csr(),
    });
    const more = await enroller.enroll({
      userName: `alice@${overlay}`,
      password: 'secret',
      nodeIdCount: 3,
      csr: await csr(),
    });
    expect(again.nodeIds).toEqual(first.nodeIds);
    expect(more.nodeIds[0]).toBe(first.nodeIds[0]);
    expect(new Set(more.nodeIds).size).toBe(3);
  });

  it('re-enrolls a user that holds enough Node-IDs without a Node-ID write, with the same ids', async () => {
    const first = await enroller.enroll({
      userName: `alice@${overlay}`,
      password: 'secret',
      nodeIdCount: 2,
      csr: await csr(),
    });
    const assign = jest.spyOn(store, 'assignNodeIds');
    const again = await enroller.enroll({
      userName: `alice@${overlay}`,
      password: 'secret',
      nodeIdCount: 2,
      csr: await csr(),
    });
    const fewer = await enroller.enroll({
      userName: `alice@${overlay}`,
      password: 'secret',
      csr: await csr(),
    });
    expect(assign).not.toHaveBeenCalled();
    expect(again.nodeIds).toEqual(first.nodeIds);
    expect(fewer.nodeIds).toEqual(first.nodeIds.slice(0, 1));
    expect(parseCertificate(again.certificateDer).nodeIds.map(idToHex)).toEqual(first.nodeIds);
    await enroller.enroll({
      userName: `alice@${overlay}`,
      password: 'secret',
      nodeIdCount: 3,
      csr: await csr(),
    });
    expect(assign).toHaveBeenCalledTimes(1);
  });

  it('refuses wrong passwords, unknown and disabled users with failed_authentication', async () => {
    expect(
      await tokenOf(enroller.enroll({ userName: `alice@${overlay}`, password: 'nope', csr: await csr() })),
    ).toBe('failed_authentication');
    expect(
      await tokenOf(enroller.enroll({ userName: `bob@${overlay}`, password: 'secret', csr: await csr() })),
    ).toBe('failed_authentication');
    await store.updateUser(`alice@${overlay}`, { disabled: true, atMs: 1 });
    expect(
      await tokenOf(enroller.enroll({ userName: `alice@${overlay}`, password: 'secret', csr: await csr() })),
    ).toBe('failed_authentication');
    expect(refused).toEqual(['failed_authentication', 'failed_authentication', 'failed_authentication']);
  });

  it('locks a user name after repeated failures, even against the right password', async () => {
    for (let i = 0; i < 3; i++)
      await tokenOf(enroller.enroll({ userName: `alice@${overlay}`, password: 'guess', csr: await csr() }));
    expect(
      await tokenOf(enroller.enroll({ userName: `alice@${overlay}`, password: 'secret', csr: await csr() })),
    ).toBe('failed_authentication');
  });

  it('locks out parallel guesses too (regression: 200 concurrent guesses all reached the KDF)', async () => {
    const csrDer = await csr();
    const guesses = Array.from({ length: 20 }, (_, i) => (i === 15 ? 'secret' : `guess-${i}`));
    const outcomes = await Promise.all(
      guesses.map((password) =>
        tokenOf(enroller.enroll({ userName: `alice@${overlay}`, password, csr: csrDer })),
      ),
    );
    expect(outcomes[15]).toBe('failed_authentication');
    expect(outcomes.filter((outcome) => outcome === 'issued')).toHaveLength(0);
  });

  it('refuses bad CSRs and weak keys with bad_CSR', async () => {
    expect(
      await tokenOf(
        enroller.enroll({ userName: `alice@${overlay}`, password: 'secret', csr: Buffer.from('junk') }),
      ),
    ).toBe('bad_CSR');
    const rsa = await webcrypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    );
    const weak = await x509.Pkcs10CertificateRequestGenerator.create({
      name: '',
      keys: rsa,
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    });
    expect(
      await tokenOf(
        enroller.enroll({ userName: `alice@${overlay}`, password: 'secret', csr: Buffer.from(weak.rawData) }),
      ),
    ).toBe('bad_CSR');
  });

  it('refuses Node-ID counts outside 1..max with Node-IDs_not_available', async () => {
    for (const count of [0, 5, 1000]) {
      expect(
        await tokenOf(
          enroller.enroll({
            userName: `alice@${overlay}`,
            password: 'secret',
            nodeIdCount: count,
            csr: await csr(),
          }),
        ),
      ).toBe('Node-IDs_not_available');
    }
  });

  it('registers unknown users on first enrollment only when self-registration is on, in allowed domains', async () => {
    expect(
      await tokenOf(enroller.enroll({ userName: `carol@${overlay}`, password: 'pw', csr: await csr() })),
    ).toBe('failed_authentication');
    policy = { ...policy, selfRegistration: true };
    expect(
      await tokenOf(enroller.enroll({ userName: `carol@${overlay}`, password: 'pw', csr: await csr() })),
    ).toBe('issued');
    expect(
      await tokenOf(enroller.enroll({ userName: `carol@${overlay}`, password: 'other', csr: await csr() })),
    ).toBe('failed_authentication');
    expect(
      await tokenOf(enroller.enroll({ userName: 'dave@elsewhere.test', password: 'pw', csr: await csr() })),
    ).toBe('username_not_available');
  });

  it('never gives two users the same Node-ID under concurrent enrollment', async () => {
    policy = { ...policy, selfRegistration: true };
    const results = await Promise.all(
      Array.from({ length: 40 }, async (_, i) =>
        enroller.enroll({
          userName: `user${i}@${overlay}`,
          password: 'pw',
          nodeIdCount: 2,
          csr: await csr(),
        }),
      ),
    );
    const all = results.flatMap((r) => r.nodeIds);
    expect(new Set(all).size).toBe(80);
    expect(new Set(results.map((r) => r.serialNumber)).size).toBe(40);
  });
});
