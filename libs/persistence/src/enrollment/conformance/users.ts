import { UserExistsError, UserNotFoundError } from '@p2psip/ca';
import { type SuiteContext, T0_MS, addUsers, expectCaError, nodeId, numberedNames, user } from './builders';

export function describeUsers(context: SuiteContext): void {
  const store = () => context.store();

  describe('users', () => {
    it('adds a user and reads it back', async () => {
      const alice = user('alice@example.org', { disabled: true });
      await store().addUser(alice);
      expect(await store().getUser('alice@example.org')).toEqual(alice);
    });

    it('returns undefined for an unknown user', async () => {
      expect(await store().getUser('nobody@example.org')).toBeUndefined();
    });

    it('refuses a second user with the same name and keeps the first', async () => {
      await store().addUser(user('alice@example.org'));
      await expectCaError(
        store().addUser(user('alice@example.org', { passwordHash: 'other' })),
        UserExistsError,
        'USER_EXISTS',
      );
      expect((await store().getUser('alice@example.org'))?.passwordHash).toBe(
        user('alice@example.org').passwordHash,
      );
    });

    it('lets exactly one of two concurrent adds of one name succeed', async () => {
      const results = await Promise.allSettled([
        store().addUser(user('alice@example.org')),
        store().addUser(user('alice@example.org')),
      ]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((result) => result.status === 'rejected');
      expect(rejected?.reason).toBeInstanceOf(UserExistsError);
    });

    it('refuses a new user that already holds Node-IDs', async () => {
      await expect(store().addUser(user('alice@example.org', { nodeIds: [nodeId(1)] }))).rejects.toThrow(
        RangeError,
      );
      expect(await store().getUser('alice@example.org')).toBeUndefined();
    });

    it('changes the password hash, keeps the disabled flag and stamps the change', async () => {
      await store().addUser(user('alice@example.org', { disabled: true }));
      const updated = await store().updateUser('alice@example.org', {
        passwordHash: 'new-hash',
        atMs: T0_MS + 5,
      });
      expect(updated).toEqual(
        user('alice@example.org', { disabled: true, passwordHash: 'new-hash', updatedAtMs: T0_MS + 5 }),
      );
      expect(await store().getUser('alice@example.org')).toEqual(updated);
    });

    it('changes the disabled flag and keeps the password hash', async () => {
      await store().addUser(user('alice@example.org'));
      const updated = await store().updateUser('alice@example.org', { disabled: true, atMs: T0_MS + 7 });
      expect(updated).toEqual(user('alice@example.org', { disabled: true, updatedAtMs: T0_MS + 7 }));
      expect(await store().getUser('alice@example.org')).toEqual(updated);
    });

    it('keeps the Node-IDs of a user it updates', async () => {
      await store().addUser(user('alice@example.org'));
      await store().assignNodeIds('alice@example.org', [nodeId(1)], T0_MS + 1);
      const updated = await store().updateUser('alice@example.org', {
        passwordHash: 'new-hash',
        atMs: T0_MS + 2,
      });
      expect(updated.nodeIds).toEqual([nodeId(1)]);
    });

    it('throws UserNotFoundError when updating an unknown user', async () => {
      await expectCaError(
        store().updateUser('nobody@example.org', { disabled: true, atMs: T0_MS }),
        UserNotFoundError,
        'USER_NOT_FOUND',
      );
    });
  });

  describe('user listing', () => {
    it('returns an empty page without next when there are no users', async () => {
      expect(await store().listUsers()).toEqual({ users: [], next: undefined });
    });

    it('lists users in ascending name order (UTF-8 byte order)', async () => {
      const names = ['carol@example.org', 'Bob@example.org', 'alice@example.org', 'alice@example.net'];
      await addUsers(store(), names);
      const page = await store().listUsers();
      expect(page.users.map((listed) => listed.userName)).toEqual([
        'Bob@example.org',
        'alice@example.net',
        'alice@example.org',
        'carol@example.org',
      ]);
      expect(page.users[0]).toEqual(user('Bob@example.org'));
    });

    it('pages users with after, limit and next', async () => {
      const names = numberedNames(5);
      await addUsers(store(), [...names].reverse());
      const first = await store().listUsers({ limit: 2 });
      expect(first.users.map((listed) => listed.userName)).toEqual(names.slice(0, 2));
      expect(first.next).toBe(names[1]);
      const second = await store().listUsers({ after: first.next, limit: 2 });
      expect(second.users.map((listed) => listed.userName)).toEqual(names.slice(2, 4));
      const last = await store().listUsers({ after: second.next, limit: 2 });
      expect(last).toEqual({ users: [user(names[4])], next: undefined });
    });

    it('leaves next undefined when the last page is exactly full', async () => {
      const names = numberedNames(4);
      await addUsers(store(), names);
      const second = await store().listUsers({ after: names[1], limit: 2 });
      expect(second.users).toHaveLength(2);
      expect(second.next).toBeUndefined();
    });

    it('starts after a name that is not stored', async () => {
      await addUsers(store(), ['a@example.org', 'c@example.org']);
      const page = await store().listUsers({ after: 'b@example.org' });
      expect(page.users.map((listed) => listed.userName)).toEqual(['c@example.org']);
    });

    it('returns 100 users per page by default and at most 1000', async () => {
      const names = numberedNames(1001);
      await addUsers(store(), names);
      const byDefault = await store().listUsers();
      expect(byDefault.users).toHaveLength(100);
      expect(byDefault.next).toBe(names[99]);
      const capped = await store().listUsers({ limit: 5000 });
      expect(capped.users).toHaveLength(1000);
      expect(capped.next).toBe(names[999]);
      const rest = await store().listUsers({ after: capped.next, limit: Infinity });
      expect(rest).toEqual({ users: [user(names[1000])], next: undefined });
    });

    it('refuses a page limit below 1', async () => {
      for (const limit of [0, -1, Number.NaN]) {
        await expect(store().listUsers({ limit })).rejects.toThrow(RangeError);
      }
    });
  });
}
