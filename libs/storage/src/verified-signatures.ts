import { createHash } from 'node:crypto';

const DEFAULT_CAPACITY = 8192;

/**
 * Value signatures that already verified in this process, by a digest of the signed input and the
 * signature. Several virtual peers share a process, and a replica there often receives a value the
 * responsible peer next to it has just checked (RFC 6940 §7.1 has every storing peer check it):
 * the second check finds the digest and skips the ECDSA work. Only successes are kept; the signer
 * certificate's validity and revocation are still checked on every use. Bounded: the oldest entry
 * makes room.
 */
export class VerifiedSignatures {
  private readonly digests = new Set<string>();
  /** Checks answered from the memo since the process started. */
  private remembered = 0;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  get size(): number {
    return this.digests.size;
  }

  /** The memo key of one signature over one input. */
  static digestOf(input: Uint8Array, signature: Uint8Array): string {
    return createHash('sha256').update(input).update(signature).digest('base64');
  }

  get hits(): number {
    return this.remembered;
  }

  has(digest: string): boolean {
    const known = this.digests.has(digest);
    if (known) this.remembered++;
    return known;
  }

  add(digest: string): void {
    if (this.digests.has(digest)) return;
    if (this.digests.size >= this.capacity) {
      const oldest = this.digests.values().next().value;
      if (oldest !== undefined) this.digests.delete(oldest);
    }
    this.digests.add(digest);
  }
}
