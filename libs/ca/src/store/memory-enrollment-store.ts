import {
  CertificateNotFoundError,
  NodeIdTakenError,
  SerialTakenError,
  UserExistsError,
  UserNotFoundError,
} from '../errors';
import type {
  CertificateFilter,
  CertificatePage,
  CertificateRecord,
  EnrollmentStore,
  PageRequest,
  UserPage,
  UserRecord,
} from './enrollment-store';
import { planNodeIds } from './node-id-plan';
import { cutPage, pageLimit } from './paging';
import {
  applyUserChange,
  checkCertificate,
  checkNewUser,
  copyCertificate,
  copyUser,
  isRevoked,
  matchesCertificateFilter,
} from './records';
import { canonicalJson, parseSetting } from './setting-json';
import { settle } from './settle';
import { compareText } from './text-order';

/**
 * The enrollment store in process memory, for tests and the simulator. Every method runs to
 * completion synchronously, so each one is atomic without locks. Records are copied on the way in
 * and out: callers cannot change stored state through objects they passed or got back.
 */
export class MemoryEnrollmentStore implements EnrollmentStore {
  readonly #users = new Map<string, UserRecord>();
  /** Node-ID → user name: the uniqueness index, as the durable adapters keep it. */
  readonly #nodeIdOwners = new Map<string, string>();
  readonly #certificates = new Map<string, CertificateRecord>();
  /** Canonical JSON text per key (see setting-json.ts). */
  readonly #settings = new Map<string, string>();

  addUser(user: UserRecord): Promise<void> {
    return settle(() => {
      checkNewUser(user);
      if (this.#users.has(user.userName)) throw new UserExistsError(user.userName);
      this.#users.set(user.userName, copyUser(user));
    });
  }

  getUser(userName: string): Promise<UserRecord | undefined> {
    return settle(() => {
      const user = this.#users.get(userName);
      return user === undefined ? undefined : copyUser(user);
    });
  }

  updateUser(
    userName: string,
    change: { readonly passwordHash?: string; readonly disabled?: boolean; readonly atMs: number },
  ): Promise<UserRecord> {
    return settle(() => {
      const user = this.#requireUser(userName);
      const updated = applyUserChange(user, change);
      this.#users.set(userName, updated);
      return copyUser(updated);
    });
  }

  listUsers(page?: PageRequest): Promise<UserPage> {
    return settle(() => {
      const limit = pageLimit(page);
      const names = [...this.#users.keys()].sort(compareText).filter((name) => isAfter(name, page?.after));
      const { items, next } = cutPage(names.slice(0, limit + 1), limit, (name) => name);
      return { users: items.map((name) => copyUser(this.#requireUser(name))), next };
    });
  }

  assignNodeIds(userName: string, candidates: readonly string[], atMs: number): Promise<readonly string[]> {
    return settle(() => {
      const user = this.#requireUser(userName);
      const plan = planNodeIds(user.nodeIds, candidates);
      const taken = plan.added.find((nodeId) => this.#nodeIdOwners.has(nodeId));
      if (taken !== undefined) throw new NodeIdTakenError(taken);
      for (const nodeId of plan.added) this.#nodeIdOwners.set(nodeId, userName);
      if (plan.added.length > 0) {
        this.#users.set(userName, { ...user, nodeIds: [...user.nodeIds, ...plan.added], updatedAtMs: atMs });
      }
      return [...plan.nodeIds];
    });
  }

  putCertificate(record: CertificateRecord): Promise<void> {
    return settle(() => {
      checkCertificate(record);
      if (this.#certificates.has(record.serialNumber)) throw new SerialTakenError(record.serialNumber);
      this.#certificates.set(record.serialNumber, copyCertificate(record));
    });
  }

  getCertificate(serialNumber: string): Promise<CertificateRecord | undefined> {
    return settle(() => {
      const record = this.#certificates.get(serialNumber);
      return record === undefined ? undefined : copyCertificate(record);
    });
  }

  listCertificates(filter: CertificateFilter = {}, page?: PageRequest): Promise<CertificatePage> {
    return settle(() => {
      const limit = pageLimit(page);
      const matching = [...this.#certificates.values()]
        .filter(
          (record) => isAfter(record.serialNumber, page?.after) && matchesCertificateFilter(record, filter),
        )
        .sort((a, b) => compareText(a.serialNumber, b.serialNumber));
      const { items, next } = cutPage(matching.slice(0, limit + 1), limit, (record) => record.serialNumber);
      return { certificates: items.map(copyCertificate), next };
    });
  }

  revokeCertificate(serialNumber: string, atMs: number, reason: string): Promise<CertificateRecord> {
    return settle(() => {
      const record = this.#certificates.get(serialNumber);
      if (record === undefined) throw new CertificateNotFoundError(serialNumber);
      if (isRevoked(record)) return copyCertificate(record);
      const revoked = { ...record, revokedAtMs: atMs, revocationReason: reason };
      this.#certificates.set(serialNumber, revoked);
      return copyCertificate(revoked);
    });
  }

  getSetting<T>(key: string): Promise<T | undefined> {
    return settle(() => {
      const json = this.#settings.get(key);
      return json === undefined ? undefined : parseSetting<T>(json);
    });
  }

  putSetting<T>(key: string, value: T): Promise<void> {
    return settle(() => {
      this.#settings.set(key, canonicalJson(value));
    });
  }

  compareAndSetSetting<T>(key: string, expected: T | undefined, next: T): Promise<boolean> {
    return settle(() => {
      const value = canonicalJson(next);
      const wanted = expected === undefined ? undefined : canonicalJson(expected);
      if (this.#settings.get(key) !== wanted) return false;
      this.#settings.set(key, value);
      return true;
    });
  }

  counts(): Promise<{ readonly users: number; readonly certificates: number; readonly revoked: number }> {
    return settle(() => {
      const all = [...this.#certificates.values()];
      return { users: this.#users.size, certificates: all.length, revoked: all.filter(isRevoked).length };
    });
  }

  /** Nothing to release; the data lives as long as the object. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  #requireUser(userName: string): UserRecord {
    const user = this.#users.get(userName);
    if (user === undefined) throw new UserNotFoundError(userName);
    return user;
  }
}

function isAfter(key: string, after: string | undefined): boolean {
  return after === undefined || compareText(key, after) > 0;
}
