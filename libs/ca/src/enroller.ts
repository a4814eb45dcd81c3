import { type CertificateAuthority, idToHex, randomNodeId } from '@p2psip/identity';
import { type CertificateWork, type CsrInspection, inProcessCertificateWork } from './certificate-work';
import { CredentialCache } from './credential-cache';
import { EnrollmentFailureError, NodeIdTakenError, SerialTakenError, UserExistsError } from './errors';
import { FailedAttempts } from './failed-attempts';
import { KeyedQueue } from './keyed-queue';
import { isAcceptableKey } from './key-policy';
import { DEFAULT_KDF, type KdfSettings, hashPassword, verifyPassword } from './password';
import type { CertificateRecord, EnrollmentStore, UserRecord } from './store';
import { isDomainAllowed, isReservedUserName, normalizeUserName } from './user-name';

/** What the current configuration says about enrollment (admins can change it at run time). */
export interface EnrollmentPolicy {
  readonly overlay: string;
  readonly allowedDomains: readonly string[];
  /** Unknown users become users on their first enrollment. @default false in configurations */
  readonly selfRegistration: boolean;
  readonly maxNodeIdsPerUser: number;
  /** Lifetime of issued certificates, ms. */
  readonly certificateValidityMs: number;
}

export interface EnrollerComponents {
  readonly store: EnrollmentStore;
  readonly authority: CertificateAuthority;
  readonly policy: () => EnrollmentPolicy;
  /** Called once an issued certificate is stored, before it is returned (NATS events). */
  readonly onIssued?: (record: CertificateRecord) => void;
  /** Called for every refused enrollment (counters, audit log). */
  readonly onRefused?: (failure: EnrollmentFailureError) => void;
  readonly now?: () => number;
  /** Where CSRs are checked and certificates built. @default on the calling thread */
  readonly work?: CertificateWork;
}

export interface EnrollerInit {
  /** @default DEFAULT_KDF */
  readonly kdf?: KdfSettings;
  readonly credentialCache?: CredentialCache;
  readonly failedAttempts?: FailedAttempts;
}

export interface EnrollRequest {
  readonly userName: string;
  readonly password: string;
  /** @default 1 */
  readonly nodeIdCount?: number;
  /** PKCS#10, DER. */
  readonly csr: Uint8Array;
}

export interface EnrollResult {
  readonly certificateDer: Buffer;
  readonly serialNumber: string;
  readonly userName: string;
  readonly nodeIds: readonly string[];
}

// Random draws colliding with another user's Node-ID (2^-128 each) or serial are retried; a
// handful of retries only matters if the random source is broken, and then failing is right.
const MAX_DRAWS = 5;

/**
 * The enrollment rules of RFC 6940 §11.3: authenticate the user, check the CSR, give the user
 * its Node-IDs (the same ones again on re-enrollment) and issue a certificate that names them.
 * The certificate is stored before it is returned, so no certificate exists that the CA forgot.
 */
export class Enroller {
  private readonly store: EnrollmentStore;
  private readonly work: CertificateWork;
  private readonly policy: () => EnrollmentPolicy;
  private readonly onIssued: (record: CertificateRecord) => void;
  private readonly onRefused: (failure: EnrollmentFailureError) => void;
  private readonly now: () => number;
  private readonly kdf: KdfSettings;
  private readonly credentials: CredentialCache;
  private readonly failures: FailedAttempts;
  private readonly passwordChecks = new KeyedQueue();

  constructor(components: EnrollerComponents, init: EnrollerInit = {}) {
    this.store = components.store;
    this.work = components.work ?? inProcessCertificateWork(components.authority);
    this.policy = components.policy;
    this.onIssued = components.onIssued ?? (() => undefined);
    this.onRefused = components.onRefused ?? (() => undefined);
    this.now = components.now ?? Date.now;
    this.kdf = init.kdf ?? DEFAULT_KDF;
    this.credentials = init.credentialCache ?? new CredentialCache({ now: this.now });
    this.failures = init.failedAttempts ?? new FailedAttempts({ now: this.now });
  }

  async enroll(request: EnrollRequest): Promise<EnrollResult> {
    try {
      return await this.enrollOnce(request);
    } catch (error) {
      if (error instanceof EnrollmentFailureError) this.onRefused(error);
      throw error;
    }
  }

  private async enrollOnce(request: EnrollRequest): Promise<EnrollResult> {
    const policy = this.policy();
    const count = this.checkNodeIdCount(request.nodeIdCount ?? 1, policy);
    const csr = await this.checkCsr(request.csr);
    const userName = this.checkUserName(request.userName, policy);
    const user = await this.authenticate(userName, request.password, policy);
    const nodeIds = await this.assignNodeIds(user, count);
    const record = await this.issue(user.userName, nodeIds, csr, policy);
    this.onIssued(record);
    return { certificateDer: Buffer.from(record.der), serialNumber: record.serialNumber, userName, nodeIds };
  }

  private checkNodeIdCount(count: number, policy: EnrollmentPolicy): number {
    if (!Number.isInteger(count) || count < 1 || count > policy.maxNodeIdsPerUser) {
      throw new EnrollmentFailureError(
        'Node-IDs_not_available',
        `${count} Node-IDs asked, 1..${policy.maxNodeIdsPerUser} allowed`,
      );
    }
    return count;
  }

  private async checkCsr(der: Uint8Array): Promise<CsrInspection> {
    let csr: CsrInspection;
    try {
      csr = await this.work.inspectCsr(der);
    } catch (cause) {
      // Only a CSR that does not parse or verify is the client's fault; anything else is ours.
      if ((cause as { code?: unknown }).code !== 'BAD_CSR') throw cause;
      throw new EnrollmentFailureError('bad_CSR', (cause as Error).message, { cause });
    }
    if (!isAcceptableKey(csr.key)) {
      throw new EnrollmentFailureError('bad_CSR', `key not accepted: ${JSON.stringify(csr.key)}`);
    }
    return csr;
  }

  private checkUserName(userName: string, policy: EnrollmentPolicy): string {
    let normalized: string;
    try {
      normalized = normalizeUserName(userName);
    } catch (cause) {
      throw new EnrollmentFailureError('username_not_available', (cause as Error).message, { cause });
    }
    if (isReservedUserName(normalized, policy.overlay)) {
      throw new EnrollmentFailureError('username_not_available', `${normalized} is reserved for the CA`);
    }
    if (!isDomainAllowed(normalized, policy.allowedDomains)) {
      throw new EnrollmentFailureError('username_not_available', `domain of ${normalized} is not allowed`);
    }
    return normalized;
  }

  private authenticate(userName: string, password: string, policy: EnrollmentPolicy): Promise<UserRecord> {
    return this.passwordChecks.run(userName, () => this.authenticateNow(userName, password, policy));
  }

  private async authenticateNow(
    userName: string,
    password: string,
    policy: EnrollmentPolicy,
  ): Promise<UserRecord> {
    if (this.failures.isLocked(userName)) {
      throw new EnrollmentFailureError(
        'failed_authentication',
        `${userName} is locked after repeated failures`,
      );
    }
    const user =
      (await this.store.getUser(userName)) ?? (await this.selfRegister(userName, password, policy));
    if (!user || user.disabled || !(await this.passwordMatches(user, password))) {
      this.failures.recordFailure(userName);
      const why = !user ? 'unknown user' : user.disabled ? 'user disabled' : 'wrong password';
      throw new EnrollmentFailureError('failed_authentication', `${userName}: ${why}`);
    }
    this.failures.recordSuccess(userName);
    return user;
  }

  private async selfRegister(
    userName: string,
    password: string,
    policy: EnrollmentPolicy,
  ): Promise<UserRecord | undefined> {
    if (!policy.selfRegistration || password.length === 0) return undefined;
    const atMs = this.now();
    const user: UserRecord = {
      userName,
      passwordHash: await hashPassword(password, this.kdf),
      disabled: false,
      nodeIds: [],
      createdAtMs: atMs,
      updatedAtMs: atMs,
    };
    try {
      await this.store.addUser(user);
      return user;
    } catch (error) {
      // Two first enrollments raced: the other one created the user; check against its password.
      if (error instanceof UserExistsError) return this.store.getUser(userName);
      throw error;
    }
  }

  private async passwordMatches(user: UserRecord, password: string): Promise<boolean> {
    if (this.credentials.has(user.userName, password, user.passwordHash)) return true;
    const matches = await verifyPassword(password, user.passwordHash);
    if (matches) this.credentials.remember(user.userName, password, user.passwordHash);
    return matches;
  }

  private async assignNodeIds(user: UserRecord, count: number): Promise<readonly string[]> {
    // A user's Node-IDs are only ever appended to, so one that already holds enough (every
    // re-enrollment) gets its first `count` again as assignNodeIds would, without a store write.
    if (user.nodeIds.length >= count) return user.nodeIds.slice(0, count);
    for (let draw = 1; ; draw++) {
      const candidates = Array.from({ length: count }, () => idToHex(randomNodeId()));
      try {
        return await this.store.assignNodeIds(user.userName, candidates, this.now());
      } catch (error) {
        if (!(error instanceof NodeIdTakenError) || draw >= MAX_DRAWS) throw error;
      }
    }
  }

  private async issue(
    userName: string,
    nodeIds: readonly string[],
    csr: CsrInspection,
    policy: EnrollmentPolicy,
  ): Promise<CertificateRecord> {
    for (let draw = 1; ; draw++) {
      const issuedAtMs = this.now();
      const certificate = await this.work.issue({
        overlay: policy.overlay,
        nodeIds,
        userName,
        publicKeySpki: csr.publicKeySpki,
        notBeforeMs: issuedAtMs,
        validityMs: policy.certificateValidityMs,
      });
      const record: CertificateRecord = {
        serialNumber: certificate.serialNumber,
        userName,
        nodeIds: [...nodeIds],
        der: certificate.der,
        issuedAtMs,
        notBeforeMs: certificate.notBefore.getTime(),
        notAfterMs: certificate.notAfter.getTime(),
      };
      try {
        await this.store.putCertificate(record);
        return record;
      } catch (error) {
        if (!(error instanceof SerialTakenError) || draw >= MAX_DRAWS) throw error;
      }
    }
  }
}
