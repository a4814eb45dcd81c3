import { CertificateNotFoundError, SerialTakenError } from '@p2psip/ca';
import { type SuiteContext, T0_MS, certificate, expectCaError, nodeId, serials } from './builders';

export function describeCertificates(context: SuiteContext): void {
  const store = () => context.store();

  describe('certificates', () => {
    it('records a certificate and reads it back with its DER as a Uint8Array', async () => {
      const record = certificate('1a2b', { nodeIds: [nodeId(1), nodeId(2)] });
      await store().putCertificate(record);
      const stored = await store().getCertificate('1a2b');
      expect(stored).toEqual(record);
      expect(Object.getPrototypeOf(stored?.der)).toBe(Uint8Array.prototype);
      expect(stored).not.toHaveProperty('revokedAtMs');
    });

    it('returns undefined for an unknown serial', async () => {
      expect(await store().getCertificate('abc')).toBeUndefined();
    });

    it('refuses a duplicate serial and keeps the first record', async () => {
      await store().putCertificate(certificate('abc'));
      await expectCaError(
        store().putCertificate(certificate('abc', { userName: 'bob@example.org' })),
        SerialTakenError,
        'SERIAL_TAKEN',
      );
      expect(await store().getCertificate('abc')).toEqual(certificate('abc'));
    });

    it('lets exactly one of two concurrent puts of one serial succeed', async () => {
      const results = await Promise.allSettled([
        store().putCertificate(certificate('abc', { userName: 'alice@example.org' })),
        store().putCertificate(certificate('abc', { userName: 'bob@example.org' })),
      ]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((result) => result.status === 'rejected')?.reason).toBeInstanceOf(SerialTakenError);
      const winner = results[0]?.status === 'fulfilled' ? 'alice@example.org' : 'bob@example.org';
      expect((await store().getCertificate('abc'))?.userName).toBe(winner);
    });

    it('refuses serials with leading zeros or upper case', async () => {
      await expect(store().putCertificate(certificate('0abc'))).rejects.toThrow(RangeError);
      await expect(store().putCertificate(certificate('ABC'))).rejects.toThrow(RangeError);
      expect((await store().counts()).certificates).toBe(0);
    });

    it('records an already revoked certificate as revoked', async () => {
      const record = certificate('abc', { revokedAtMs: T0_MS + 1, revocationReason: 'keyCompromise' });
      await store().putCertificate(record);
      expect(await store().getCertificate('abc')).toEqual(record);
      expect(serials(await store().listCertificates({ revoked: true }))).toEqual(['abc']);
      expect((await store().counts()).revoked).toBe(1);
    });
  });

  describe('certificate listing', () => {
    const alice = 'alice@example.org';
    const bob = 'bob@example.org';

    /** Six certificates over two users and three Node-IDs, two of them revoked. */
    async function putSample(): Promise<void> {
      const records = [
        certificate('a1', { userName: alice, nodeIds: [nodeId(1)] }),
        certificate('a2', { userName: alice, nodeIds: [nodeId(1), nodeId(2)] }),
        certificate('a3', { userName: alice, nodeIds: [nodeId(2)] }),
        certificate('b1', { userName: bob, nodeIds: [nodeId(3)] }),
        certificate('b2', { userName: bob, nodeIds: [nodeId(3)] }),
        certificate('b3', { userName: bob, nodeIds: [nodeId(3)] }),
      ];
      for (const record of records.reverse()) await store().putCertificate(record);
      await store().revokeCertificate('a2', T0_MS + 1, 'superseded');
      await store().revokeCertificate('b3', T0_MS + 1, 'keyCompromise');
    }

    it('returns an empty page without next when nothing matches', async () => {
      expect(await store().listCertificates()).toEqual({ certificates: [], next: undefined });
      await putSample();
      expect(await store().listCertificates({ userName: 'carol@example.org' })).toEqual({
        certificates: [],
        next: undefined,
      });
    });

    it('lists certificates in ascending serial text order', async () => {
      for (const serial of ['ff', '10', 'a', '1']) await store().putCertificate(certificate(serial));
      const page = await store().listCertificates();
      expect(serials(page)).toEqual(['1', '10', 'a', 'ff']);
      expect(page.certificates[0]).toEqual(certificate('1'));
    });

    it('filters by user name', async () => {
      await putSample();
      expect(serials(await store().listCertificates({ userName: alice }))).toEqual(['a1', 'a2', 'a3']);
    });

    it('filters by Node-ID', async () => {
      await putSample();
      expect(serials(await store().listCertificates({ nodeId: nodeId(2) }))).toEqual(['a2', 'a3']);
      expect(serials(await store().listCertificates({ nodeId: nodeId(9) }))).toEqual([]);
    });

    it('filters by revocation state', async () => {
      await putSample();
      expect(serials(await store().listCertificates({ revoked: true }))).toEqual(['a2', 'b3']);
      expect(serials(await store().listCertificates({ revoked: false }))).toEqual(['a1', 'a3', 'b1', 'b2']);
    });

    it('combines filters', async () => {
      await putSample();
      expect(serials(await store().listCertificates({ userName: alice, revoked: false }))).toEqual([
        'a1',
        'a3',
      ]);
      expect(serials(await store().listCertificates({ nodeId: nodeId(1), revoked: true }))).toEqual(['a2']);
      expect(serials(await store().listCertificates({ userName: bob, nodeId: nodeId(1) }))).toEqual([]);
    });

    it('pages a filtered listing with after, limit and next', async () => {
      await putSample();
      const first = await store().listCertificates({ revoked: false }, { limit: 3 });
      expect(serials(first)).toEqual(['a1', 'a3', 'b1']);
      expect(first.next).toBe('b1');
      const last = await store().listCertificates({ revoked: false }, { after: first.next, limit: 3 });
      expect(serials(last)).toEqual(['b2']);
      expect(last.next).toBeUndefined();
      const byNodeId = await store().listCertificates({ nodeId: nodeId(3) }, { after: 'b1', limit: 1 });
      expect(serials(byNodeId)).toEqual(['b2']);
      expect(byNodeId.next).toBe('b2');
    });

    it('leaves next undefined when the last page is exactly full', async () => {
      await putSample();
      const page = await store().listCertificates({ userName: bob }, { limit: 3 });
      expect(serials(page)).toEqual(['b1', 'b2', 'b3']);
      expect(page.next).toBeUndefined();
    });

    it('returns 100 certificates per page by default and refuses a limit below 1', async () => {
      const all = Array.from({ length: 101 }, (_, i) => (0x100 + i).toString(16));
      await Promise.all(all.map((serial) => store().putCertificate(certificate(serial))));
      const page = await store().listCertificates();
      expect(serials(page)).toEqual(all.slice(0, 100));
      expect(page.next).toBe(all[99]);
      await expect(store().listCertificates({}, { limit: 0 })).rejects.toThrow(RangeError);
    });
  });

  describe('revocation', () => {
    it('revokes a certificate and returns it with time and reason', async () => {
      await store().putCertificate(certificate('abc'));
      const revoked = await store().revokeCertificate('abc', T0_MS + 9, 'keyCompromise');
      expect(revoked).toEqual(
        certificate('abc', { revokedAtMs: T0_MS + 9, revocationReason: 'keyCompromise' }),
      );
      expect(await store().getCertificate('abc')).toEqual(revoked);
    });

    it('keeps the first revocation time and reason when revoked again', async () => {
      await store().putCertificate(certificate('abc'));
      const first = await store().revokeCertificate('abc', T0_MS + 9, 'keyCompromise');
      expect(await store().revokeCertificate('abc', T0_MS + 20, 'superseded')).toEqual(first);
      expect(await store().getCertificate('abc')).toEqual(first);
      expect((await store().counts()).revoked).toBe(1);
    });

    it('lets concurrent revocations agree on one time and reason', async () => {
      await store().putCertificate(certificate('abc'));
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store().revokeCertificate('abc', T0_MS + i, `reason-${i}`)),
      );
      const stored = await store().getCertificate('abc');
      for (const result of results) expect(result).toEqual(stored);
    });

    it('throws CertificateNotFoundError for an unknown serial', async () => {
      await expectCaError(
        store().revokeCertificate('abc', T0_MS, 'keyCompromise'),
        CertificateNotFoundError,
        'CERTIFICATE_NOT_FOUND',
      );
    });
  });
}
