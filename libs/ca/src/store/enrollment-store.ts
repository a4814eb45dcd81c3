// The enrollment server's durable state, as one interface with several adapters (in-memory,
// embedded lmdb by default, MongoDB for deployments; libs/persistence). Every adapter passes the
// same conformance suite. Ids are text here (32 lower-case hex Node-IDs, lower-case hex serials)
// so records read the same in every backend and in operators' tools.

/** An enrolled (or enrollable) user. */
export interface UserRecord {
  /** AOR-style `user@domain`; unique; the key of the record. */
  readonly userName: string;
  /** Encoded memory-hard KDF hash (see password.ts), never the password. */
  readonly passwordHash: string;
  readonly disabled: boolean;
  /**
   * Node-IDs assigned to this user (32 lower-case hex), in assignment order. Empty until the first
   * enrollment; the same user gets the same ids again (RFC 6940 §11.3: data stays reachable), so
   * ids are only ever appended, never removed or reordered.
   */
  readonly nodeIds: readonly string[];
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** A certificate the CA issued. Written before the certificate is handed out, never deleted. */
export interface CertificateRecord {
  /** Lower-case hex without leading zeros; unique. */
  readonly serialNumber: string;
  readonly userName: string;
  /** 32 lower-case hex each. */
  readonly nodeIds: readonly string[];
  readonly der: Uint8Array;
  readonly issuedAtMs: number;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  /** Set once, by revocation; absent while the certificate is valid. */
  readonly revokedAtMs?: number;
  readonly revocationReason?: string;
}

export interface UserPage {
  readonly users: readonly UserRecord[];
  /** Pass back as `after` for the next page; undefined on the last page. */
  readonly next: string | undefined;
}

export interface CertificatePage {
  readonly certificates: readonly CertificateRecord[];
  readonly next: string | undefined;
}

export interface CertificateFilter {
  readonly userName?: string;
  /** 32 lower-case hex: certificates that carry this Node-ID. */
  readonly nodeId?: string;
  readonly revoked?: boolean;
}

export interface PageRequest {
  /** Exclusive start key (a user name or a serial) from the previous page's `next`. */
  readonly after?: string;
  /** @default 100; at most 1000 */
  readonly limit?: number;
}

export interface EnrollmentStore {
  /** Adds a user; throws UserExistsError if the name is taken. */
  addUser(user: UserRecord): Promise<void>;
  getUser(userName: string): Promise<UserRecord | undefined>;
  /** Changes password hash and/or disabled flag; throws UserNotFoundError. */
  updateUser(
    userName: string,
    change: { readonly passwordHash?: string; readonly disabled?: boolean; readonly atMs: number },
  ): Promise<UserRecord>;
  /** Users in ascending user-name order. */
  listUsers(page?: PageRequest): Promise<UserPage>;

  /**
   * Gives a user Node-IDs, atomically: if the user already holds at least `candidates.length` ids,
   * returns the first that many of them unchanged (same user → same ids); otherwise appends the
   * missing ones from `candidates` (in order) and returns the first `candidates.length`.
   * Node-IDs are unique across all users: if a candidate that would be appended belongs to another
   * user, nothing is written and NodeIdTakenError is thrown (the caller draws new candidates).
   * Throws UserNotFoundError for an unknown user.
   */
  assignNodeIds(userName: string, candidates: readonly string[], atMs: number): Promise<readonly string[]>;

  /** Records an issued certificate durably; throws SerialTakenError if the serial exists. */
  putCertificate(record: CertificateRecord): Promise<void>;
  getCertificate(serialNumber: string): Promise<CertificateRecord | undefined>;
  /** Certificates in ascending serial order, filtered. */
  listCertificates(filter?: CertificateFilter, page?: PageRequest): Promise<CertificatePage>;
  /**
   * Marks a certificate revoked. Idempotent: revoking a revoked certificate returns it unchanged
   * (first revocation time and reason kept). Throws CertificateNotFoundError.
   */
  revokeCertificate(serialNumber: string, atMs: number, reason: string): Promise<CertificateRecord>;

  /** Small named JSON documents (CA settings, configuration state). */
  getSetting<T>(key: string): Promise<T | undefined>;
  putSetting<T>(key: string, value: T): Promise<void>;
  /**
   * Writes `next` only if the stored value deep-equals `expected` (undefined = absent); returns
   * whether it wrote. Serialises concurrent changes such as configuration sequence increments.
   */
  compareAndSetSetting<T>(key: string, expected: T | undefined, next: T): Promise<boolean>;

  /** Counts for the admin stats call. */
  counts(): Promise<{ readonly users: number; readonly certificates: number; readonly revoked: number }>;

  close(): Promise<void>;
}
