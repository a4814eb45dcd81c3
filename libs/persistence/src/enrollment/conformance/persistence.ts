import { NodeIdTakenError } from '@p2psip/ca';
import { type SuiteContext, T0_MS, addUsers, certificate, expectCaError, nodeId, user } from './builders';

/** Only for durable adapters: everything written before close() is there after reopening. */
export function describePersistence(context: SuiteContext): void {
  describe('persistence', () => {
    it('keeps users, Node-IDs, certificates, revocations and settings across close and reopen', async () => {
      const before = context.store();
      await addUsers(before, ['alice@example.org', 'bob@example.org']);
      await before.assignNodeIds('alice@example.org', [nodeId(1), nodeId(2)], T0_MS + 1);
      await before.putCertificate(certificate('abc', { nodeIds: [nodeId(1)] }));
      await before.putCertificate(certificate('def', { nodeIds: [nodeId(2)] }));
      await before.revokeCertificate('abc', T0_MS + 2, 'superseded');
      await before.putSetting('config', { sequence: 4 });

      const after = await context.reopen();
      expect(await after.getUser('alice@example.org')).toEqual(
        user('alice@example.org', { nodeIds: [nodeId(1), nodeId(2)], updatedAtMs: T0_MS + 1 }),
      );
      expect(await after.getCertificate('abc')).toEqual(
        certificate('abc', { nodeIds: [nodeId(1)], revokedAtMs: T0_MS + 2, revocationReason: 'superseded' }),
      );
      expect((await after.listCertificates({ nodeId: nodeId(2) })).certificates).toEqual([
        certificate('def', { nodeIds: [nodeId(2)] }),
      ]);
      expect(await after.getSetting('config')).toEqual({ sequence: 4 });
      expect(await after.counts()).toEqual({ users: 2, certificates: 2, revoked: 1 });
      // The Node-ID index came back too, not only the user records.
      await expectCaError(
        after.assignNodeIds('bob@example.org', [nodeId(2)], T0_MS + 3),
        NodeIdTakenError,
        'NODE_ID_TAKEN',
      );
    });
  });
}
