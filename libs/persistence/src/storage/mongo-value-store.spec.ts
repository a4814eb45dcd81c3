import { encodeKindRecord } from '@p2psip/storage';
import { Binary, Decimal128, MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { type ValueStoreFixture, describeValueStoreConformance } from './conformance';
import { TOP, arrayRecord, expectStorageError, rid, singleRecord, slots, view } from './conformance/builders';
import {
  type ValueDocument,
  documentSlot,
  fromValueDocument,
  toValueDocument,
  valueDocumentId,
} from './mongo-value-documents';
import { MongoValueStore } from './mongo-value-store';

// No MongoDB server can run in this repository's CI (see STACK.md §4), and a fake would prove
// nothing about the driver calls, so the conformance suite runs only against a real server.
const uri = process.env['MONGODB_URI'];

interface MongoFixture extends ValueStoreFixture {
  readonly database: string;
}

if (uri === undefined || uri === '') {
  console.warn(
    'MongoDB value store tests skipped: set MONGODB_URI=mongodb://… to run them against a real server ' +
      '(e.g. MONGODB_URI=mongodb://127.0.0.1:27017 npx jest -c libs/persistence/jest.config.cjs)',
  );
  describe.skip('value store — mongodb', () => {
    it('passes the conformance suite against a real MongoDB server', () => undefined);
  });
} else {
  describeValueStoreConformance('mongodb', () => openMongoFixture(uri), {
    reopen: (fixture) => MongoValueStore.connect({ uri, database: fixture.database }),
    timeoutMs: 60_000,
  });

  describe('value store — mongodb specifics', () => {
    it('reports an undecodable document as CORRUPT_RECORD on read and skips it in range', async () => {
      const fixture = await openMongoFixture(uri);
      const client = new MongoClient(uri);
      try {
        const healthy = singleRecord(rid(1), 1, 'healthy');
        await fixture.store.write([healthy]);
        await client
          .db(fixture.database)
          .collection<ValueDocument>('values')
          .insertOne({
            ...toValueDocument(singleRecord(rid(2), 1, 'x')),
            record: new Binary(Buffer.from([1])),
          });
        await expectStorageError(() => fixture.store.read(rid(2), 1), 'CORRUPT_RECORD');
        expect(slots(await fixture.store.range(0n, 0n))).toEqual(slots([healthy]));
      } finally {
        await client.close();
        await fixture.store.close();
        await fixture.cleanup();
      }
    });

    it('rejects a write with a record it cannot encode, writing none of the call', async () => {
      const fixture = await openMongoFixture(uri);
      try {
        const base = singleRecord(rid(2), 1, 'bad');
        const value = base.values[0];
        const unencodable = {
          ...base,
          values: [{ ...value, signature: { ...value.signature, value: Buffer.alloc(70_000) } }],
        };
        await expectStorageError(
          () => fixture.store.write([singleRecord(rid(1), 1, 'good'), unencodable]),
          'ENCODING',
        );
        expect(await fixture.store.resourceCount()).toBe(0);
      } finally {
        await fixture.store.close();
        await fixture.cleanup();
      }
    });
  });
}

/** Each test gets a fresh random database, dropped afterwards. */
async function openMongoFixture(serverUri: string): Promise<MongoFixture> {
  const database = `p2psip_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const store = await MongoValueStore.connect({ uri: serverUri, database });
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

// These need no server: the document mapping, and how connecting fails when none answers.
describe('value store — mongodb documents', () => {
  it('names a document by Resource-ID hex ‖ Kind-ID hex, so _id order is ring order, then kind', () => {
    expect(valueDocumentId(rid(0x1234), 0xf0000003)).toBe(`${'0'.repeat(28)}1234f0000003`);
    const ids = [
      valueDocumentId(rid(1), 0xffffffff),
      valueDocumentId(rid(2), 0),
      valueDocumentId(rid(TOP), 1),
    ];
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps the sortable resourceId, the kind, the exact generation and the encoded record', () => {
    const record = { ...arrayRecord(rid(TOP), 7, [[2, 'v']]), generation: (1n << 64n) - 1n };
    const document = toValueDocument(record);
    expect(document).toMatchObject({ _id: `${'f'.repeat(32)}00000007`, resourceId: 'f'.repeat(32), kind: 7 });
    expect(document.generation).toEqual(Decimal128.fromString('18446744073709551615'));
    expect(Buffer.from(document.record.value())).toEqual(encodeKindRecord(record));
    expect(view(fromValueDocument(document))).toEqual(view(record));
  });

  it('reports a document whose record or _id is not what it should be as CORRUPT_RECORD', async () => {
    const document = toValueDocument(singleRecord(rid(3), 1, 'v'));
    await expectStorageError(
      async () => fromValueDocument({ ...document, _id: valueDocumentId(rid(4), 1) }),
      'CORRUPT_RECORD',
    );
    await expectStorageError(
      async () => fromValueDocument({ ...document, record: new Binary(Buffer.from([9])) }),
      'CORRUPT_RECORD',
    );
    await expectStorageError(async () => documentSlot({ _id: 'not-an-id' }), 'CORRUPT_RECORD');
  });
});
