import type { CertificateFilter } from '@p2psip/ca';
import type { Database } from 'lmdb';
import type { IndexKey, LmdbLayout } from './lmdb-layout';

/**
 * Serials in ascending order that may match `filter`, strictly after `after`, read from the
 * narrowest index that applies (Node-ID, then user, then revoked, else every certificate). The
 * caller still checks each record against the whole filter: an index narrows, it does not decide.
 */
export function candidateSerials(
  layout: LmdbLayout,
  filter: CertificateFilter,
  after: string | undefined,
): Iterable<string> {
  if (filter.nodeId !== undefined) return indexRange(layout.certificatesByNodeId, filter.nodeId, after);
  if (filter.userName !== undefined) return indexRange(layout.certificatesByUser, filter.userName, after);
  if (filter.revoked === true) return keyRange(layout.revoked, after);
  return keyRange(layout.certificates, after);
}

function* keyRange(db: Database<unknown, string>, after: string | undefined): Generator<string> {
  yield* db.getKeys({ start: after, exclusiveStart: after !== undefined });
}

/** The serials under one prefix of a `[prefix, serial]` index; stops at the first other prefix. */
function* indexRange(
  db: Database<true, IndexKey>,
  prefix: string,
  after: string | undefined,
): Generator<string> {
  const start = after === undefined ? [prefix] : [prefix, after];
  for (const [keyPrefix, serial] of db.getKeys({ start, exclusiveStart: after !== undefined })) {
    if (keyPrefix !== prefix) return;
    yield serial;
  }
}
