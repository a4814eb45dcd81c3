import crypto from 'node:crypto';
import { idToBytes, resourceIdOf } from '@p2psip/identity';
import { type TestNodeIdentity, type TestPki, createTestPki } from '@p2psip/testing';
import { createCertificateTrust } from './certificate-trust';
import { KindRegistry, Kind } from './kinds';
import { MemoryValueStore } from './memory-value-store';
import type { StoredValue } from './model';
import { StorageRules } from './storage-rules';
import { signValue, verifyValue } from './value-signing';
import { VerifiedSignatures } from './verified-signatures';

const OVERLAY = 'p2psip.test';

describe('storage — value signatures already verified in this process', () => {
  let pki: TestPki;
  let alice: TestNodeIdentity;
  let revoked = false;
  const trust = () =>
    createCertificateTrust({
      caCertificateDer: pki.authority.certificate.der,
      overlay: OVERLAY,
      isRevoked: () => revoked,
    });
  const resourceId = resourceIdOf(`alice@${OVERLAY}`);
  const registration = (text: string): StoredValue =>
    signValue(
      {
        resourceId,
        kind: Kind.SipRegistration,
        item: {
          model: 'DICTIONARY',
          key: idToBytes(alice.nodeIds[0]),
          exists: true,
          value: Buffer.from(text),
        },
        storageTimeMs: BigInt(Date.now()),
        lifetimeS: 60,
      },
      { certificateDer: alice.certificate.der, privateKey: alice.keyPem },
    );

  beforeAll(async () => {
    pki = await createTestPki(OVERLAY);
    alice = await pki.issue({ userName: `alice@${OVERLAY}` });
  }, 30_000);
  afterEach(() => {
    revoked = false;
    jest.restoreAllMocks();
  });

  it('keeps at most its capacity, forgetting the oldest first', () => {
    const memo = new VerifiedSignatures(2);
    for (const digest of ['a', 'b', 'c']) memo.add(digest);
    expect([memo.has('a'), memo.has('b'), memo.has('c'), memo.size]).toEqual([false, true, true, 2]);
  });

  it('checks a signature once; the same value again costs no ECDSA work', () => {
    const memo = new VerifiedSignatures();
    const verify = jest.spyOn(crypto, 'verify');
    const value = registration('route');
    const checks = [1, 2, 3].map(() =>
      verifyValue(resourceId, Kind.SipRegistration, value, trust(), Date.now(), memo),
    );
    expect(checks.every((signer) => signer?.userName === `alice@${OVERLAY}`)).toBe(true);
    expect(verify).toHaveBeenCalledTimes(1);
    expect([memo.size, memo.hits]).toEqual([1, 2]);
  });

  it('does not let a memo of the genuine value pass one altered after signing', () => {
    const memo = new VerifiedSignatures();
    const value = registration('route');
    expect(verifyValue(resourceId, Kind.SipRegistration, value, trust(), Date.now(), memo)).toBeDefined();
    const altered: StoredValue = { ...value, item: { ...value.item, value: Buffer.from('rout3') } };
    expect(verifyValue(resourceId, Kind.SipRegistration, altered, trust(), Date.now(), memo)).toBeUndefined();
    const otherResource = resourceIdOf(`mallory@${OVERLAY}`);
    expect(
      verifyValue(otherResource, Kind.SipRegistration, value, trust(), Date.now(), memo),
    ).toBeUndefined();
  });

  it('still refuses a remembered signature once its certificate is revoked', () => {
    const memo = new VerifiedSignatures();
    const value = registration('route');
    const shared = trust();
    expect(verifyValue(resourceId, Kind.SipRegistration, value, shared, Date.now(), memo)).toBeDefined();
    revoked = true;
    expect(verifyValue(resourceId, Kind.SipRegistration, value, shared, Date.now(), memo)).toBeUndefined();
  });

  it('lets a replica skip the check its responsible peer made in the same process', async () => {
    const memo = new VerifiedSignatures();
    const rules = () =>
      new StorageRules({
        kinds: new KindRegistry(),
        store: new MemoryValueStore(),
        trust: trust(),
        verifiedValues: memo,
        now: () => Date.now(),
      });
    const [responsible, replica] = [rules(), rules()];
    const verify = jest.spyOn(crypto, 'verify');
    const kindData = [{ kind: Kind.SipRegistration, generation: 0n, values: [registration('route')] }];
    await responsible.store(resourceId, kindData, { mode: 'original' });
    await replica.store(resourceId, kindData, { mode: 'replica' });
    expect(verify).toHaveBeenCalledTimes(1);
    const [stored] = await replica.fetch(resourceId, [
      { kind: Kind.SipRegistration, generation: 0n, selector: { model: 'DICTIONARY', keys: [] } },
    ]);
    expect(stored?.values).toHaveLength(1);
  });
});
