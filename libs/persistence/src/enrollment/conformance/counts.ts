import { type SuiteContext, T0_MS, addUsers, certificate } from './builders';

export function describeCounts(context: SuiteContext): void {
  const store = () => context.store();

  describe('counts', () => {
    it('counts users, certificates and revoked certificates', async () => {
      expect(await store().counts()).toEqual({ users: 0, certificates: 0, revoked: 0 });
      await addUsers(store(), ['alice@example.org', 'bob@example.org']);
      for (const serial of ['a', 'b', 'c']) await store().putCertificate(certificate(serial));
      await store().revokeCertificate('b', T0_MS + 1, 'superseded');
      await store().revokeCertificate('b', T0_MS + 2, 'superseded');
      expect(await store().counts()).toEqual({ users: 2, certificates: 3, revoked: 1 });
    });
  });
}
