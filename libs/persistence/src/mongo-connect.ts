import { type Db, MongoClient, type MongoClientOptions, type WriteConcernSettings } from 'mongodb';

const SECOND_MS = 1000;

/** How long a call waits for a usable server when the caller names no limit. */
export const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 5 * SECOND_MS;
/** The database used when neither the settings nor the URI name one. */
export const DEFAULT_DATABASE = 'p2psip';

/**
 * Acknowledged only once a majority of the replica set has the write in its journal: a failover or
 * a crash of any minority of nodes cannot lose an acknowledged certificate. (`journal` is the
 * current name of the deprecated `j` option.)
 */
export const DURABLE_WRITES: WriteConcernSettings = { w: 'majority', journal: true };

export interface MongoConnectInit {
  readonly uri: string;
  readonly database?: string;
  readonly serverSelectionTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Work that belongs to connecting (index creation), under the same abort and clean-up. */
  readonly prepare?: (db: Db) => Promise<void>;
}

export interface MongoConnection {
  readonly client: MongoClient;
  readonly db: Db;
  /** Whether the deployment runs multi-document transactions (replica set or sharded cluster). */
  readonly transactions: boolean;
}

/**
 * Connects, or fails within the server-selection timeout. The same timeout then bounds every later
 * call, since each one first selects a server.
 */
export async function connectMongo(init: MongoConnectInit): Promise<MongoConnection> {
  init.signal?.throwIfAborted();
  const client = new MongoClient(init.uri, clientOptions(init));
  try {
    await untilAborted(client.connect(), init.signal);
    const db = client.db(init.database ?? databaseInUri(init.uri) ?? DEFAULT_DATABASE, {
      writeConcern: DURABLE_WRITES,
    });
    if (init.prepare !== undefined) await untilAborted(init.prepare(db), init.signal);
    const transactions = await untilAborted(supportsTransactions(db), init.signal);
    return { client, db, transactions };
  } catch (error) {
    await client.close();
    throw error;
  }
}

function clientOptions(init: MongoConnectInit): MongoClientOptions {
  const timeoutMs = init.serverSelectionTimeoutMs ?? DEFAULT_SERVER_SELECTION_TIMEOUT_MS;
  return { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs, writeConcern: DURABLE_WRITES };
}

/** The database named in the URI's path (`mongodb://host/<db>?…`), if any. */
export function databaseInUri(uri: string): string | undefined {
  const name = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]+)/.exec(uri)?.[1];
  return name === undefined ? undefined : decodeURIComponent(name);
}

/** Transactions need a replica set member (it reports `setName`) or a mongos (`msg: 'isdbgrid'`). */
async function supportsTransactions(db: Db): Promise<boolean> {
  const hello: { setName?: unknown; msg?: unknown } = await db.admin().command({ hello: 1 });
  return typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
}

/** Settles like `work`, or rejects with the signal's reason as soon as it aborts. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
