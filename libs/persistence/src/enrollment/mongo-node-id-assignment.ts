import { NodeIdTakenError, UserNotFoundError } from '@p2psip/ca';
import type { ClientSession, Collection, MongoClient } from 'mongodb';
import { DURABLE_WRITES } from '../mongo-connect';
import { type EnrollmentCollections, type NodeIdDocument, isDuplicateKeyError } from './mongo-documents';
import { planNodeIds } from '@p2psip/ca';

// assignNodeIds for MongoDB. Uniqueness comes from the `nodeIds` collection: one document per
// Node-ID with the id as `_id`, so the server itself refuses a second owner (duplicate key 11000).
// One attempt: read the user, plan, insert the index documents, then update the user only if its
// Node-ID list is still the one read (optimistic concurrency; a concurrent assignment for the same
// user makes the update match nothing and the attempt is retried from a fresh read).
//
// With transactions (replica set, sharded cluster) an attempt runs in one, so it is all or nothing
// even if the process dies. Without them (standalone server) the attempt compensates: if an index
// insert hits another owner, or the user changed meanwhile, it deletes the index documents it
// inserted itself before failing. A crash between the index inserts and the user update can leave
// index documents the user does not list; they only reserve ids that nobody holds, which can never
// give one Node-ID to two users, so compensation errs on that side (it never deletes a document
// when the outcome of the user update is unknown).

export interface NodeIdAssignmentContext {
  readonly client: MongoClient;
  readonly collections: EnrollmentCollections;
  readonly transactions: boolean;
}

export interface NodeIdAssignmentRequest {
  readonly userName: string;
  readonly candidates: readonly string[];
  readonly atMs: number;
}

/** Retries are only needed while other assignments for the same user win; each one makes progress. */
const MAX_ATTEMPTS = 20;

export async function assignNodeIdsInMongo(
  context: NodeIdAssignmentContext,
  request: NodeIdAssignmentRequest,
): Promise<readonly string[]> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await (context.transactions
        ? attemptInTransaction(context, request)
        : attemptOnce(context, request));
    } catch (error) {
      if (!(error instanceof UserChangedConcurrently) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** The user's Node-ID list changed between our read and our conditional update. */
class UserChangedConcurrently extends Error {
  constructor(userName: string) {
    super(`Node-IDs of ${userName} changed during assignment`);
    this.name = 'UserChangedConcurrently';
  }
}

function attemptInTransaction(
  context: NodeIdAssignmentContext,
  request: NodeIdAssignmentRequest,
): Promise<readonly string[]> {
  return context.client.withSession((session) =>
    session.withTransaction(() => attemptOnce(context, request, session), {
      writeConcern: DURABLE_WRITES,
      readConcern: { level: 'snapshot' },
    }),
  );
}

/** One attempt; `session` set means inside a transaction, where the server undoes everything on failure. */
async function attemptOnce(
  { collections }: NodeIdAssignmentContext,
  { userName, candidates, atMs }: NodeIdAssignmentRequest,
  session?: ClientSession,
): Promise<readonly string[]> {
  const user = await collections.users.findOne({ userName }, { session });
  if (user === null) throw new UserNotFoundError(userName);
  const plan = planNodeIds(user.nodeIds, candidates);
  if (plan.added.length === 0) return plan.nodeIds;
  const inserted = await reserveNodeIds(collections.nodeIds, userName, plan.added, session);
  const updated = await collections.users.updateOne(
    { userName, nodeIds: user.nodeIds },
    { $set: { nodeIds: [...user.nodeIds, ...plan.added], updatedAtMs: atMs } },
    { session },
  );
  if (updated.matchedCount === 0) {
    if (session === undefined) await releaseNodeIds(collections.nodeIds, inserted);
    throw new UserChangedConcurrently(userName);
  }
  return plan.nodeIds;
}

/**
 * Inserts one index document per Node-ID, in order. On a duplicate key, deletes what this call
 * inserted (outside a transaction) and throws NodeIdTakenError for the id that was taken.
 */
async function reserveNodeIds(
  nodeIds: Collection<NodeIdDocument>,
  userName: string,
  ids: readonly string[],
  session: ClientSession | undefined,
): Promise<string[]> {
  const inserted: string[] = [];
  for (const id of ids) {
    try {
      await nodeIds.insertOne({ _id: id, userName }, { session });
    } catch (error) {
      if (session === undefined) await releaseNodeIds(nodeIds, inserted);
      throw isDuplicateKeyError(error) ? new NodeIdTakenError(id) : error;
    }
    inserted.push(id);
  }
  return inserted;
}

async function releaseNodeIds(nodeIds: Collection<NodeIdDocument>, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await nodeIds.deleteMany({ _id: { $in: [...ids] } });
}
