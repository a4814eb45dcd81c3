import { NodeIdTakenError, UserNotFoundError } from '@p2psip/ca';
import { type SuiteContext, T0_MS, addUsers, expectCaError, nodeId, user } from './builders';

const ALICE = 'alice@example.org';
const BOB = 'bob@example.org';
const CAROL = 'carol@example.org';

export function describeNodeIds(context: SuiteContext): void {
  const store = () => context.store();

  describe('Node-ID assignment', () => {
    beforeEach(() => addUsers(store(), [ALICE, BOB, CAROL]));

    it('gives a user its first Node-IDs in candidate order', async () => {
      expect(await store().assignNodeIds(ALICE, [nodeId(1), nodeId(2)], T0_MS + 1)).toEqual([
        nodeId(1),
        nodeId(2),
      ]);
      expect(await store().getUser(ALICE)).toEqual(
        user(ALICE, { nodeIds: [nodeId(1), nodeId(2)], updatedAtMs: T0_MS + 1 }),
      );
    });

    it('returns the same ids on a repeat and writes nothing', async () => {
      await store().assignNodeIds(ALICE, [nodeId(1), nodeId(2)], T0_MS + 1);
      expect(await store().assignNodeIds(ALICE, [nodeId(3), nodeId(4)], T0_MS + 2)).toEqual([
        nodeId(1),
        nodeId(2),
      ]);
      expect((await store().getUser(ALICE))?.updatedAtMs).toBe(T0_MS + 1);
      // The unused candidates were not reserved for alice.
      expect(await store().assignNodeIds(BOB, [nodeId(3), nodeId(4)], T0_MS + 3)).toEqual([
        nodeId(3),
        nodeId(4),
      ]);
    });

    it('returns the first ids when fewer are asked for', async () => {
      await store().assignNodeIds(ALICE, [nodeId(1), nodeId(2)], T0_MS + 1);
      expect(await store().assignNodeIds(ALICE, [nodeId(9)], T0_MS + 2)).toEqual([nodeId(1)]);
      expect(await store().assignNodeIds(ALICE, [], T0_MS + 2)).toEqual([]);
    });

    it('extends from one id to three and keeps the first', async () => {
      await store().assignNodeIds(ALICE, [nodeId(1)], T0_MS + 1);
      const extended = await store().assignNodeIds(ALICE, [nodeId(2), nodeId(3), nodeId(4)], T0_MS + 2);
      expect(extended).toEqual([nodeId(1), nodeId(2), nodeId(3)]);
      expect(await store().getUser(ALICE)).toEqual(
        user(ALICE, { nodeIds: [nodeId(1), nodeId(2), nodeId(3)], updatedAtMs: T0_MS + 2 }),
      );
    });

    it('skips candidates the user already holds', async () => {
      await store().assignNodeIds(ALICE, [nodeId(1)], T0_MS + 1);
      const extended = await store().assignNodeIds(ALICE, [nodeId(1), nodeId(2), nodeId(3)], T0_MS + 2);
      expect(extended).toEqual([nodeId(1), nodeId(2), nodeId(3)]);
    });

    it('throws NodeIdTakenError for a candidate another user holds and writes nothing for the caller', async () => {
      await store().assignNodeIds(ALICE, [nodeId(1), nodeId(2)], T0_MS + 1);
      await expectCaError(
        store().assignNodeIds(BOB, [nodeId(5), nodeId(2)], T0_MS + 2),
        NodeIdTakenError,
        'NODE_ID_TAKEN',
      );
      expect(await store().getUser(BOB)).toEqual(user(BOB));
      expect((await store().getUser(ALICE))?.nodeIds).toEqual([nodeId(1), nodeId(2)]);
      // Bob's free candidate was not reserved either: another user can have it.
      expect(await store().assignNodeIds(CAROL, [nodeId(5)], T0_MS + 3)).toEqual([nodeId(5)]);
    });

    it('does not check candidates it does not append', async () => {
      await store().assignNodeIds(ALICE, [nodeId(1)], T0_MS + 1);
      await store().assignNodeIds(BOB, [nodeId(2)], T0_MS + 1);
      expect(await store().assignNodeIds(BOB, [nodeId(1)], T0_MS + 2)).toEqual([nodeId(2)]);
    });

    it('throws UserNotFoundError for an unknown user', async () => {
      await expectCaError(
        store().assignNodeIds('nobody@example.org', [nodeId(1)], T0_MS),
        UserNotFoundError,
        'USER_NOT_FOUND',
      );
      // Nothing was reserved for the unknown user.
      expect(await store().assignNodeIds(ALICE, [nodeId(1)], T0_MS)).toEqual([nodeId(1)]);
    });

    it('refuses candidates that are not 32 lower-case hex digits', async () => {
      await expect(store().assignNodeIds(ALICE, [nodeId(10).toUpperCase()], T0_MS)).rejects.toThrow(
        RangeError,
      );
      await expect(store().assignNodeIds(ALICE, ['abc'], T0_MS)).rejects.toThrow(RangeError);
      expect(await store().getUser(ALICE)).toEqual(user(ALICE));
    });

    it('refuses candidates with too few distinct new ids', async () => {
      await expect(store().assignNodeIds(ALICE, [nodeId(1), nodeId(1)], T0_MS)).rejects.toThrow(RangeError);
      expect(await store().getUser(ALICE)).toEqual(user(ALICE));
    });
  });
}
