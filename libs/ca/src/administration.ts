import { idToHex, nodeIdFromHex } from '@p2psip/identity';
import { CertificateNotFoundError, InvalidRequestError } from './errors';
import type { EnrollmentPolicy } from './enroller';
import { DEFAULT_KDF, type KdfSettings, hashPassword } from './password';
import type {
  CertificateFilter,
  CertificatePage,
  CertificateRecord,
  EnrollmentStore,
  PageRequest,
  UserPage,
  UserRecord,
} from './store';
import { isDomainAllowed, isReservedUserName, normalizeUserName } from './user-name';

export interface AdministrationComponents {
  readonly store: EnrollmentStore;
  readonly policy: () => EnrollmentPolicy;
  /** Called for every certificate that becomes revoked (NATS events, CRL refresh). */
  readonly onRevoked?: (record: CertificateRecord) => void;
  readonly now?: () => number;
}

/** What to revoke: one certificate, or every certificate that carries a Node-ID. */
export type RevocationTarget = { readonly serialNumber: string } | { readonly nodeId: string };

export interface CaStats {
  readonly users: number;
  readonly usersDisabled: number;
  readonly certificatesIssued: number;
  readonly certificatesRevoked: number;
  readonly certificatesActive: number;
}

const MAX_PASSWORD_LENGTH = 1024;
const PAGE = 1000;

/** The operator's side of the CA: users, certificates, revocation, counts. */
export class Administration {
  private readonly store: EnrollmentStore;
  private readonly policy: () => EnrollmentPolicy;
  private readonly onRevoked: (record: CertificateRecord) => void;
  private readonly now: () => number;
  private readonly kdf: KdfSettings;

  constructor(components: AdministrationComponents, init: { readonly kdf?: KdfSettings } = {}) {
    this.store = components.store;
    this.policy = components.policy;
    this.onRevoked = components.onRevoked ?? (() => undefined);
    this.now = components.now ?? Date.now;
    this.kdf = init.kdf ?? DEFAULT_KDF;
  }

  async addUser(userName: string, password: string): Promise<UserRecord> {
    const name = normalizeUserName(userName);
    const { allowedDomains, overlay } = this.policy();
    if (isReservedUserName(name, overlay))
      throw new InvalidRequestError(`${name} is reserved for the CA's own identities`);
    if (!isDomainAllowed(name, allowedDomains)) {
      throw new InvalidRequestError(
        `the domain of ${name} is not allowed (allowed: ${allowedDomains.join(', ')})`,
      );
    }
    if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) {
      throw new InvalidRequestError(`a password has 1..${MAX_PASSWORD_LENGTH} characters`);
    }
    const atMs = this.now();
    const user: UserRecord = {
      userName: name,
      passwordHash: await hashPassword(password, this.kdf),
      disabled: false,
      nodeIds: [],
      createdAtMs: atMs,
      updatedAtMs: atMs,
    };
    await this.store.addUser(user);
    return user;
  }

  /** Disables (or re-enables) a user; disabled users cannot enroll. Optionally revokes their certificates. */
  async setDisabled(
    userName: string,
    disabled: boolean,
    options: { readonly revokeCertificates?: boolean } = {},
  ): Promise<{ user: UserRecord; revoked: CertificateRecord[] }> {
    const name = normalizeUserName(userName);
    const user = await this.store.updateUser(name, { disabled, atMs: this.now() });
    const revoked =
      disabled && options.revokeCertificates
        ? await this.revokeAll({ userName: name, revoked: false }, 'user disabled')
        : [];
    return { user, revoked };
  }

  listUsers(page?: PageRequest): Promise<UserPage> {
    return this.store.listUsers(page);
  }

  listCertificates(filter?: CertificateFilter, page?: PageRequest): Promise<CertificatePage> {
    return this.store.listCertificates(filter, page);
  }

  /** Revokes a certificate by serial, or all valid ones of a Node-ID; returns what it revoked. */
  async revoke(target: RevocationTarget, reason = 'unspecified'): Promise<CertificateRecord[]> {
    if ('serialNumber' in target) {
      const serial = target.serialNumber.toLowerCase().replace(/^0+(?=.)/, '');
      const before = await this.store.getCertificate(serial);
      if (!before) throw new CertificateNotFoundError(`with serial ${serial}`);
      const after = await this.store.revokeCertificate(serial, this.now(), reason);
      if (before.revokedAtMs === undefined) this.onRevoked(after);
      return [after];
    }
    const nodeId = canonicalNodeId(target.nodeId);
    const revoked = await this.revokeAll({ nodeId, revoked: false }, reason);
    if (
      revoked.length === 0 &&
      (await this.store.listCertificates({ nodeId }, { limit: 1 })).certificates.length === 0
    ) {
      throw new CertificateNotFoundError(`with Node-ID ${nodeId}`);
    }
    return revoked;
  }

  async stats(): Promise<CaStats> {
    const counts = await this.store.counts();
    let usersDisabled = 0;
    let after: string | undefined;
    do {
      const page = await this.store.listUsers({ ...(after === undefined ? {} : { after }), limit: PAGE });
      usersDisabled += page.users.filter((user) => user.disabled).length;
      after = page.next;
    } while (after !== undefined);
    return {
      users: counts.users,
      usersDisabled,
      certificatesIssued: counts.certificates,
      certificatesRevoked: counts.revoked,
      certificatesActive: counts.certificates - counts.revoked,
    };
  }

  private async revokeAll(filter: CertificateFilter, reason: string): Promise<CertificateRecord[]> {
    const targets: CertificateRecord[] = [];
    let after: string | undefined;
    do {
      const page = await this.store.listCertificates(filter, {
        ...(after === undefined ? {} : { after }),
        limit: PAGE,
      });
      targets.push(...page.certificates);
      after = page.next;
    } while (after !== undefined);
    const revoked: CertificateRecord[] = [];
    for (const target of targets) {
      const record = await this.store.revokeCertificate(target.serialNumber, this.now(), reason);
      this.onRevoked(record);
      revoked.push(record);
    }
    return revoked;
  }
}

function canonicalNodeId(text: string): string {
  try {
    return idToHex(nodeIdFromHex(text));
  } catch (cause) {
    throw new InvalidRequestError(
      `not a Node-ID: ${JSON.stringify(text.slice(0, 40))} (${(cause as Error).message})`,
    );
  }
}

/** A revocation target from operator input: 32 hex digits is a Node-ID, other hex a serial. */
export function parseRevocationTarget(text: string): RevocationTarget {
  const trimmed = text.trim().toLowerCase().replace(/^0x/, '').replace(/:/g, '');
  if (!/^[0-9a-f]+$/.test(trimmed) || trimmed.length > 64) {
    throw new InvalidRequestError(
      `expected a serial number or a 32-hex Node-ID, got ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
  return trimmed.length === 32 ? { nodeId: trimmed } : { serialNumber: trimmed };
}
