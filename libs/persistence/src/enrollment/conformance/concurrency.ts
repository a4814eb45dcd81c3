import { NodeIdTakenError } from '@p2psip/ca';
import {
  type SuiteContext,
  T0_MS,
  addUsers,
  certificate,
  nodeId,
  numberedNames,
  randomNodeId,
} from './builders';

export function describeConcurrency(context: SuiteContext): void {
  const store = () => context.store();

  describe('concurrency', () => {
    it('gives every Node-ID to at most one user when 50 parallel assignments collide', async () => {
      const names = numberedNames(50);
      await addUsers(store(), names);
      // Two candidates each from a pool of 40 ids: at most 20 users can be served, so collisions
      // are certain; which calls win depends on the adapter's scheduling.
      const pool = Array.from({ length: 40 }, (_, i) => nodeId(i + 1));
      const draws = names.map(() => shuffled(pool).slice(0, 2));
      const results = await Promise.allSettled(
        names.map((name, i) => store().assignNodeIds(name, draws[i], T0_MS + 1)),
      );

      const owners = new Map<string, string>();
      for (const [i, name] of names.entries()) {
        const held = (await store().getUser(name))?.nodeIds ?? [];
        const result = results[i];
        if (result?.status === 'fulfilled') {
          expect(held).toEqual(result.value);
        } else {
          expect(result?.reason).toBeInstanceOf(NodeIdTakenError);
          expect(held).toEqual([]);
        }
        for (const id of held) {
          expect(owners.get(id)).toBeUndefined();
          owners.set(id, name);
        }
      }
      expect(results.filter((result) => result.status === 'rejected').length).toBeGreaterThanOrEqual(30);

      // A failed call left nothing behind: every refused user gets fresh ids now.
      const refused = names.filter((_, i) => results[i]?.status === 'rejected');
      const retried = await Promise.all(
        refused.map((name) => store().assignNodeIds(name, [randomNodeId(), randomNodeId()], T0_MS + 2)),
      );
      expect(retried.every((ids) => ids.length === 2)).toBe(true);
    });

    it('lists all of 200 certificates put in parallel', async () => {
      const all = Array.from({ length: 200 }, (_, i) => (0x1000 + i).toString(16));
      await Promise.all(all.map((serial) => store().putCertificate(certificate(serial))));
      const listed: string[] = [];
      let after: string | undefined;
      do {
        const page = await store().listCertificates(
          {},
          { ...(after === undefined ? {} : { after }), limit: 64 },
        );
        listed.push(...page.certificates.map((record) => record.serialNumber));
        after = page.next;
      } while (after !== undefined);
      expect(listed).toEqual(all);
      expect(await store().counts()).toEqual({ users: 0, certificates: 200, revoked: 0 });
    });
  });
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
