import { unusedTcpPort } from '@p2psip/testing';
import { connectMongo, databaseInUri } from './mongo-connect';

// No server needed: how connecting fails when none answers (both MongoDB adapters connect here).
describe('connectMongo', () => {
  it('fails within the server selection timeout when no server answers', async () => {
    const startedMs = Date.now();
    await expect(
      connectMongo({ uri: `mongodb://127.0.0.1:${await unusedTcpPort()}`, serverSelectionTimeoutMs: 300 }),
    ).rejects.toMatchObject({ name: 'MongoServerSelectionError' });
    expect(Date.now() - startedMs).toBeLessThan(4000);
  });

  it('rejects with the abort reason when the signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    setTimeout(() => controller.abort(reason), 50);
    await expect(
      connectMongo({
        uri: `mongodb://127.0.0.1:${await unusedTcpPort()}`,
        serverSelectionTimeoutMs: 10_000,
        signal: controller.signal,
      }),
    ).rejects.toBe(reason);
  });

  it('rejects at once when the signal has already aborted', async () => {
    const reason = new Error('already stopped');
    await expect(
      connectMongo({ uri: 'mongodb://127.0.0.1:1', signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
  });

  it('takes the database from the URI path when it names one', () => {
    expect(databaseInUri('mongodb://db1:27017,db2:27017/enrollment?replicaSet=rs0')).toBe('enrollment');
    expect(databaseInUri('mongodb+srv://user:pw@cluster.example.net/ca%2Dstore')).toBe('ca-store');
    expect(databaseInUri('mongodb://127.0.0.1:27017')).toBeUndefined();
    expect(databaseInUri('mongodb://127.0.0.1:27017/?directConnection=true')).toBeUndefined();
  });
});
