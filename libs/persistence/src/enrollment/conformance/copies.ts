import { type Mutable, type SuiteContext, T0_MS, certificate, nodeId, user } from './builders';

/** The store's state must only change through its methods, never through objects in the caller's hands. */
export function describeCopies(context: SuiteContext): void {
  const store = () => context.store();

  describe('copies', () => {
    it('keeps users apart from the objects passed in and handed out', async () => {
      const input = user('alice@example.org') as Mutable<ReturnType<typeof user>>;
      await store().addUser(input);
      input.passwordHash = 'changed-by-caller';
      await store().assignNodeIds('alice@example.org', [nodeId(1)], T0_MS + 1);
      const handedOut = [
        await store().getUser('alice@example.org'),
        (await store().listUsers()).users[0],
        await store().updateUser('alice@example.org', { atMs: T0_MS + 2 }),
      ];
      for (const copy of handedOut) (copy?.nodeIds as string[]).push(nodeId(2));
      ((await store().assignNodeIds('alice@example.org', [nodeId(1)], T0_MS + 3)) as string[]).push(
        nodeId(3),
      );
      expect(await store().getUser('alice@example.org')).toEqual(
        user('alice@example.org', { nodeIds: [nodeId(1)], updatedAtMs: T0_MS + 2 }),
      );
    });

    it('keeps certificates apart from the objects passed in and handed out', async () => {
      const input = certificate('abc');
      await store().putCertificate(input);
      input.der[0] = 0xff;
      (input.nodeIds as string[]).push(nodeId(9));
      const handedOut = [
        await store().getCertificate('abc'),
        (await store().listCertificates()).certificates[0],
        await store().revokeCertificate('abc', T0_MS + 1, 'superseded'),
      ];
      for (const copy of handedOut) {
        if (copy !== undefined) copy.der[1] = 0xff;
        (copy?.nodeIds as string[]).push(nodeId(8));
      }
      expect(await store().getCertificate('abc')).toEqual(
        certificate('abc', { revokedAtMs: T0_MS + 1, revocationReason: 'superseded' }),
      );
    });

    it('keeps settings apart from the objects passed in and handed out', async () => {
      const input = { list: [1, 2] };
      await store().putSetting('config', input);
      input.list.push(3);
      const output = await store().getSetting<{ list: number[] }>('config');
      output?.list.push(4);
      expect(await store().getSetting('config')).toEqual({ list: [1, 2] });
    });
  });
}
