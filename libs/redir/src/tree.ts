import { createHash } from 'node:crypto';
import { ID_BITS, ID_BYTES, type ResourceId, type RingId, resourceIdFromBytes } from '@p2psip/identity';
import { InvalidRedirSettingsError } from './errors';

/** RFC 7374's default branching factor (`redir:branching-factor`). */
export const DEFAULT_BRANCHING_FACTOR = 10;
/** Fewer than two intervals per tree node never narrows the search. */
export const MIN_BRANCHING_FACTOR = 2;
/**
 * The record's `node` field is a uint16, so level l (b^l tree nodes) is usable while b^l ≤ 2^16.
 * RFC 7374 starts at level 2; 256 is the largest b for which level 2 still fits.
 */
export const MAX_BRANCHING_FACTOR = 256;
/** RFC 7374's recommended start level of registrations and lookups. */
export const START_LEVEL = 2;
/** The namespace of TURN servers (RFC 7374 §7, RELOAD Services registry). */
export const TURN_SERVER_NAMESPACE = 'turn-server';

const UINT16_LIMIT = 1 << 16;
const RING_BITS = BigInt(ID_BITS);

/** One tree node: its level, its index at that level, and where it is stored. */
export interface TreeNode {
  readonly level: number;
  readonly node: number;
  readonly resourceId: ResourceId;
}

export interface RedirTreeInit {
  /** The service's name, e.g. `turn-server`: UTF-8, 1..65535 bytes. */
  readonly namespace: string;
  /** Intervals per tree node (`redir:branching-factor`). @default 10 */
  readonly branchingFactor?: number;
}

/**
 * The ReDiR tree of one namespace (RFC 7374 §4): level 0 is the root; level l has b^l tree nodes,
 * node (l, j) covers the ids [2^128·j / b^l, 2^128·(j+1) / b^l) and splits them into b intervals.
 * Ids are integers and the bounds are rational, so membership is computed exactly as
 * floor(id · b^l / 2^128) = j.
 */
export class RedirTree {
  readonly namespace: string;
  readonly branchingFactor: number;
  /** The deepest level whose node numbers fit the record's uint16 `node` field. */
  readonly deepestLevel: number;
  /** Where registrations and lookups begin: level 2, or the deepest level if that is shallower. */
  readonly startLevel: number;
  private readonly namespaceBytes: Buffer;
  private readonly b: bigint;

  constructor(init: RedirTreeInit) {
    this.branchingFactor = checkBranchingFactor(init.branchingFactor ?? DEFAULT_BRANCHING_FACTOR);
    this.namespaceBytes = namespaceBytes(init.namespace);
    this.namespace = init.namespace;
    this.b = BigInt(this.branchingFactor);
    this.deepestLevel = deepestLevel(this.branchingFactor);
    this.startLevel = Math.min(START_LEVEL, this.deepestLevel);
  }

  /** The tree node at `level` whose range holds `id`. */
  nodeFor(level: number, id: RingId): TreeNode {
    this.checkLevel(level);
    const node = Number((BigInt(id) * this.b ** BigInt(level)) >> RING_BITS);
    return { level, node, resourceId: treeNodeResourceId(this.namespaceBytes, level, node) };
  }

  /** Tree node (level, node) by its coordinates; throws for coordinates outside the tree. */
  node(level: number, node: number): TreeNode {
    this.checkLevel(level);
    if (!Number.isInteger(node) || node < 0 || node >= this.branchingFactor ** level) {
      throw new InvalidRedirSettingsError(
        `level ${level} has nodes 0..${this.branchingFactor ** level - 1}, not ${node}`,
      );
    }
    return { level, node, resourceId: treeNodeResourceId(this.namespaceBytes, level, node) };
  }

  /** Whether `id` lies in one of the b intervals of tree node (level, node). */
  covers(level: number, node: number, id: RingId): boolean {
    return (BigInt(id) * this.b ** BigInt(level)) >> RING_BITS === BigInt(node);
  }

  /**
   * The interval I(level, id) as a number that is equal for two ids exactly when they share it:
   * floor(id · b^(level+1) / 2^128), i.e. node · b + the interval's place in its node.
   */
  intervalOf(level: number, id: RingId): number {
    this.checkLevel(level);
    return Number((BigInt(id) * this.b ** BigInt(level + 1)) >> RING_BITS);
  }

  private checkLevel(level: number): void {
    if (!Number.isInteger(level) || level < 0 || level > this.deepestLevel) {
      throw new InvalidRedirSettingsError(
        `levels run 0..${this.deepestLevel} with branching factor ${this.branchingFactor}, not ${level}`,
      );
    }
  }
}

/**
 * Where tree node (level, node) of a namespace is stored: SHA-1 over the namespace's UTF-8 bytes,
 * level and node as big-endian uint16 (the record's field widths), top 128 bits. RFC 7374 writes
 * H(namespace, level, node) without fixing the encoding; digest §8 has the vector for the root of
 * `turn-server`: 777995ae73664b3ce6d2623d0cc1de19.
 */
export function treeNodeResourceId(namespace: string | Uint8Array, level: number, node: number): ResourceId {
  const bytes = typeof namespace === 'string' ? namespaceBytes(namespace) : namespace;
  if (!isUint16(level) || !isUint16(node)) {
    throw new InvalidRedirSettingsError(`level and node are uint16, got ${level} and ${node}`);
  }
  const coordinates = Buffer.alloc(4);
  coordinates.writeUInt16BE(level, 0);
  coordinates.writeUInt16BE(node, 2);
  const digest = createHash('sha1').update(bytes).update(coordinates).digest();
  return resourceIdFromBytes(digest.subarray(0, ID_BYTES));
}

/** The deepest level with at most 2^16 tree nodes, i.e. the largest l with b^l ≤ 2^16. */
export function deepestLevel(branchingFactor: number): number {
  checkBranchingFactor(branchingFactor);
  let level = 0;
  while (branchingFactor ** (level + 1) <= UINT16_LIMIT) level++;
  return level;
}

export function checkBranchingFactor(branchingFactor: number): number {
  if (
    !Number.isInteger(branchingFactor) ||
    branchingFactor < MIN_BRANCHING_FACTOR ||
    branchingFactor > MAX_BRANCHING_FACTOR
  ) {
    throw new InvalidRedirSettingsError(
      `the branching factor is an integer in ${MIN_BRANCHING_FACTOR}..${MAX_BRANCHING_FACTOR}, got ${branchingFactor}`,
    );
  }
  return branchingFactor;
}

function namespaceBytes(namespace: string): Buffer {
  const bytes = Buffer.from(namespace, 'utf8');
  if (bytes.length === 0 || bytes.length >= UINT16_LIMIT || bytes.toString('utf8') !== namespace) {
    throw new InvalidRedirSettingsError(
      `a namespace is 1..65535 bytes of UTF-8, got ${JSON.stringify(namespace.slice(0, 40))}`,
    );
  }
  return bytes;
}

function isUint16(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < UINT16_LIMIT;
}
