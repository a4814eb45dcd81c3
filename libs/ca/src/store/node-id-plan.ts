import { assertNodeId } from './identifiers';

/** What assignNodeIds must do for one user; every adapter computes it the same way. */
export interface NodeIdPlan {
  /** The result to return: the first `candidates.length` ids the user holds afterwards. */
  readonly nodeIds: readonly string[];
  /** Ids to append to the user (and to the Node-ID index); empty when nothing is written. */
  readonly added: readonly string[];
}

/**
 * Applies the assignment rule to the ids a user holds. Candidates the user already holds are skipped,
 * so a caller that passes the full list it wants (old ids first) gets the same result as one that
 * passes only fresh draws; a user's list never holds an id twice.
 */
export function planNodeIds(held: readonly string[], candidates: readonly string[]): NodeIdPlan {
  candidates.forEach(assertNodeId);
  const wanted = candidates.length;
  if (held.length >= wanted) return { nodeIds: held.slice(0, wanted), added: [] };
  const taken = new Set(held);
  const added: string[] = [];
  for (const candidate of candidates) {
    if (added.length === wanted - held.length) break;
    if (taken.has(candidate)) continue;
    taken.add(candidate);
    added.push(candidate);
  }
  if (added.length < wanted - held.length) {
    throw new RangeError(`${wanted} Node-IDs wanted but the candidates hold too few distinct new ones`);
  }
  return { nodeIds: [...held, ...added], added };
}
