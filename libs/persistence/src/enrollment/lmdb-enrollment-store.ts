import {
  type CertificateFilter,
  type CertificatePage,
  type CertificateRecord,
  CertificateNotFoundError,
  type EnrollmentStore,
  NodeIdTakenError,
  type PageRequest,
  SerialTakenError,
  type UserPage,
  type UserRecord,
  UserExistsError,
  UserNotFoundError,
} from '@p2psip/ca';
import { candidateSerials } from './lmdb-certificate-query';
import {
  type LmdbLayout,
  type StoredCertificate,
  type StoredUser,
  entryCount,
  openLmdbLayout,
} from './lmdb-layout';
import { planNodeIds } from '@p2psip/ca';
import { cutPage, pageLimit } from '@p2psip/ca';
import {
  applyUserChange,
  checkCertificate,
  checkNewUser,
  copyCertificate,
  copyUser,
  matchesCertificateFilter,
} from '@p2psip/ca';
import { canonicalJson, parseSetting } from '@p2psip/ca';
import { settle } from '@p2psip/ca';

export interface LmdbEnrollmentStoreInit {
  /** Directory of the lmdb environment; created if missing. */
  readonly path: string;
  /**
   * Also wait until each write is flushed to the disk (fsync) before acknowledging it, so that it
   * survives power loss and OS crashes too, at the cost of write latency. Process crashes (kill -9)
   * never lose an acknowledged write, with or without this.
   * @default false
   */
  readonly flushBeforeAcknowledge?: boolean;
}

/**
 * The embedded default store: one lmdb environment (see lmdb-layout.ts for the key layout).
 *
 * Atomicity: every write that touches more than one key (a user and the Node-ID index, a certificate
 * and its indexes) runs in one lmdb child transaction, which rolls back entirely if its callback
 * throws; checks happen inside the same transaction, so concurrent calls cannot interleave between
 * a check and the write it guards. A `kill -9` at any moment therefore leaves every change either
 * complete or absent.
 *
 * Durability: lmdb's default (overlappingSync on Linux) resolves a write once its transaction is
 * committed, i.e. its pages and the meta page pointing at them are written to the data file. That
 * data sits in the OS page cache, which outlives the process, and on reopen lmdb uses the latest
 * committed transaction as long as the machine has not rebooted. So an awaited write survives
 * `kill -9` of the process (the crash test in lmdb-enrollment-store.spec.ts checks this). Only a
 * power loss or OS crash can drop the last few unflushed commits; `flushBeforeAcknowledge` covers it.
 */
export class LmdbEnrollmentStore implements EnrollmentStore {
  readonly #db: LmdbLayout;
  readonly #flushBeforeAcknowledge: boolean;

  private constructor(layout: LmdbLayout, init: LmdbEnrollmentStoreInit) {
    this.#db = layout;
    this.#flushBeforeAcknowledge = init.flushBeforeAcknowledge ?? false;
  }

  static open(init: LmdbEnrollmentStoreInit): Promise<LmdbEnrollmentStore> {
    return settle(() => new LmdbEnrollmentStore(openLmdbLayout(init.path), init));
  }

  async addUser(user: UserRecord): Promise<void> {
    checkNewUser(user);
    await this.#write(() => {
      if (this.#db.users.get(user.userName) !== undefined) throw new UserExistsError(user.userName);
      this.#db.users.putSync(user.userName, copyUser(user));
    });
  }

  getUser(userName: string): Promise<UserRecord | undefined> {
    return settle(() => {
      const user = this.#db.users.get(userName);
      return user === undefined ? undefined : copyUser(user);
    });
  }

  updateUser(
    userName: string,
    change: { readonly passwordHash?: string; readonly disabled?: boolean; readonly atMs: number },
  ): Promise<UserRecord> {
    return this.#write(() => {
      const updated = applyUserChange(this.#requireUser(userName), change);
      this.#db.users.putSync(userName, updated);
      return updated;
    });
  }

  listUsers(page?: PageRequest): Promise<UserPage> {
    return settle(() => {
      const limit = pageLimit(page);
      const after = page?.after;
      const range = this.#db.users.getRange({
        start: after,
        exclusiveStart: after !== undefined,
        limit: limit + 1,
      });
      const users = [...range].map((entry) => copyUser(entry.value));
      const cut = cutPage(users, limit, (user) => user.userName);
      return { users: cut.items, next: cut.next };
    });
  }

  assignNodeIds(userName: string, candidates: readonly string[], atMs: number): Promise<readonly string[]> {
    return this.#write(() => {
      const user = this.#requireUser(userName);
      const plan = planNodeIds(user.nodeIds, candidates);
      if (plan.added.length === 0) return plan.nodeIds;
      const taken = plan.added.find((nodeId) => this.#db.nodeIds.get(nodeId) !== undefined);
      if (taken !== undefined) throw new NodeIdTakenError(taken);
      for (const nodeId of plan.added) this.#db.nodeIds.putSync(nodeId, userName);
      this.#db.users.putSync(userName, {
        ...user,
        nodeIds: [...user.nodeIds, ...plan.added],
        updatedAtMs: atMs,
      });
      return plan.nodeIds;
    });
  }

  async putCertificate(record: CertificateRecord): Promise<void> {
    checkCertificate(record);
    const stored = toStoredCertificate(record);
    await this.#write(() => {
      if (this.#db.certificates.get(stored.serialNumber) !== undefined) {
        throw new SerialTakenError(stored.serialNumber);
      }
      this.#db.certificates.putSync(stored.serialNumber, stored);
      this.#db.certificatesByUser.putSync([stored.userName, stored.serialNumber], true);
      for (const nodeId of stored.nodeIds)
        this.#db.certificatesByNodeId.putSync([nodeId, stored.serialNumber], true);
      if (stored.revokedAtMs !== undefined) this.#db.revoked.putSync(stored.serialNumber, true);
    });
  }

  getCertificate(serialNumber: string): Promise<CertificateRecord | undefined> {
    return settle(() => {
      const stored = this.#db.certificates.get(serialNumber);
      return stored === undefined ? undefined : copyCertificate(stored);
    });
  }

  listCertificates(filter: CertificateFilter = {}, page?: PageRequest): Promise<CertificatePage> {
    return settle(() => {
      const limit = pageLimit(page);
      const matching: CertificateRecord[] = [];
      for (const serial of candidateSerials(this.#db, filter, page?.after)) {
        const stored = this.#db.certificates.get(serial);
        if (stored !== undefined && matchesCertificateFilter(stored, filter))
          matching.push(copyCertificate(stored));
        if (matching.length > limit) break;
      }
      const cut = cutPage(matching, limit, (record) => record.serialNumber);
      return { certificates: cut.items, next: cut.next };
    });
  }

  revokeCertificate(serialNumber: string, atMs: number, reason: string): Promise<CertificateRecord> {
    return this.#write(() => {
      const stored = this.#db.certificates.get(serialNumber);
      if (stored === undefined) throw new CertificateNotFoundError(serialNumber);
      if (stored.revokedAtMs !== undefined) return copyCertificate(stored);
      const revoked: StoredCertificate = { ...stored, revokedAtMs: atMs, revocationReason: reason };
      this.#db.certificates.putSync(serialNumber, revoked);
      this.#db.revoked.putSync(serialNumber, true);
      return copyCertificate(revoked);
    });
  }

  getSetting<T>(key: string): Promise<T | undefined> {
    return settle(() => {
      const json = this.#db.settings.get(key);
      return json === undefined ? undefined : parseSetting<T>(json);
    });
  }

  async putSetting<T>(key: string, value: T): Promise<void> {
    const json = canonicalJson(value);
    await this.#write(() => this.#db.settings.putSync(key, json));
  }

  async compareAndSetSetting<T>(key: string, expected: T | undefined, next: T): Promise<boolean> {
    const json = canonicalJson(next);
    const wanted = expected === undefined ? undefined : canonicalJson(expected);
    return await this.#write(() => {
      if (this.#db.settings.get(key) !== wanted) return false;
      this.#db.settings.putSync(key, json);
      return true;
    });
  }

  counts(): Promise<{ readonly users: number; readonly certificates: number; readonly revoked: number }> {
    return settle(() => ({
      users: entryCount(this.#db.users),
      certificates: entryCount(this.#db.certificates),
      revoked: entryCount(this.#db.revoked),
    }));
  }

  /** Waits for pending writes, then closes the environment. */
  close(): Promise<void> {
    return this.#db.root.close();
  }

  /**
   * Runs `work` atomically: a child transaction inside lmdb's batched write transaction. Unlike a
   * plain `transaction()` callback, whose writes are kept even when it throws, a child transaction
   * rolls back, so a check that throws halfway can never leave half a change behind.
   */
  async #write<T>(work: () => T): Promise<T> {
    const result = await this.#db.root.childTransaction(work);
    if (this.#flushBeforeAcknowledge) await this.#db.root.flushed;
    return result;
  }

  #requireUser(userName: string): StoredUser {
    const user = this.#db.users.get(userName);
    if (user === undefined) throw new UserNotFoundError(userName);
    return user;
  }
}

function toStoredCertificate(record: CertificateRecord): StoredCertificate {
  const copy = copyCertificate(record);
  return { ...copy, der: Buffer.from(copy.der) };
}
