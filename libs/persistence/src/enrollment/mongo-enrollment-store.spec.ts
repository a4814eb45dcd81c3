import { MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { type EnrollmentStoreFixture, describeEnrollmentStoreConformance } from './conformance';
import { databaseInUri } from './mongo-connect';
import { MongoEnrollmentStore } from './mongo-enrollment-store';

// No MongoDB server can run in this repository's CI (see STACK.md §4), and a fake would prove
// nothing about the driver calls, so the conformance suite runs only against a real server.
const uri = process.env['MONGODB_URI'];

interface MongoFixture extends EnrollmentStoreFixture {
  readonly database: string;
}

if (uri === undefined || uri === '') {
  console.warn(
    'MongoDB adapter tests skipped: set MONGODB_URI=mongodb://… to run them against a real server ' +
      '(e.g. MONGODB_URI=mongodb://127.0.0.1:27017 npx nx test persistence)',
  );
  describe.skip('persistence — mongodb', () => {
    it('passes the conformance suite against a real MongoDB server', () => undefined);
  });
} else {
  describeEnrollmentStoreConformance('mongodb', () => openMongoFixture(uri), {
    reopen: (fixture) => MongoEnrollmentStore.connect({ uri, database: fixture.database }),
    timeoutMs: 60_000,
  });
}

/** Each test gets a fresh random database, dropped afterwards. */
async function openMongoFixture(serverUri: string): Promise<MongoFixture> {
  const database = `p2psip_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const store = await MongoEnrollmentStore.connect({ uri: serverUri, database });
  return { store, database, cleanup: () => dropDatabase(serverUri, database) };
}

async function dropDatabase(serverUri: string, database: string): Promise<void> {
  const client = new MongoClient(serverUri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.db(database).dropDatabase();
  } finally {
    await client.close();
  }
}

// These need no server: they check how connecting fails when none answers.
describe('persistence — mongodb connect', () => {
  it('fails within the server selection timeout when no server answers', async () => {
    const startedMs = Date.now();
    await expect(
      MongoEnrollmentStore.connect({
        uri: `mongodb://127.0.0.1:${await closedPort()}`,
        serverSelectionTimeoutMs: 300,
      }),
    ).rejects.toMatchObject({ name: 'MongoServerSelectionError' });
    expect(Date.now() - startedMs).toBeLessThan(4000);
  });

  it('rejects with the abort reason when the signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    setTimeout(() => controller.abort(reason), 50);
    await expect(
      MongoEnrollmentStore.connect({
        uri: `mongodb://127.0.0.1:${await closedPort()}`,
        serverSelectionTimeoutMs: 10_000,
        signal: controller.signal,
      }),
    ).rejects.toBe(reason);
  });

  it('rejects at once when the signal has already aborted', async () => {
    const reason = new Error('already stopped');
    await expect(
      MongoEnrollmentStore.connect({ uri: 'mongodb://127.0.0.1:1', signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
  });

  it('takes the database from the URI path when it names one', () => {
    expect(databaseInUri('mongodb://db1:27017,db2:27017/enrollment?replicaSet=rs0')).toBe('enrollment');
    expect(databaseInUri('mongodb+srv://user:pw@cluster.example.net/ca%2Dstore')).toBe('ca-store');
    expect(databaseInUri('mongodb://127.0.0.1:27017')).toBeUndefined();
    expect(databaseInUri('mongodb://127.0.0.1:27017/?directConnection=true')).toBeUndefined();
  });
});

/** A port nothing listens on: bound once by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}
