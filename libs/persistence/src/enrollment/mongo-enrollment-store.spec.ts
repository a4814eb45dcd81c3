import { MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { type EnrollmentStoreFixture, describeEnrollmentStoreConformance } from './conformance';
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
