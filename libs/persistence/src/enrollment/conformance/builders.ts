import type { StoreSuiteContext } from '../../conformance-harness';
import type { CaError, CertificateRecord, EnrollmentStore, UserRecord } from '@p2psip/ca';
import { randomBytes } from 'node:crypto';

/** What every conformance test gets: the store under test, and for durable adapters a reopen. */
export type SuiteContext = StoreSuiteContext<EnrollmentStore>;

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const T0_MS = Date.UTC(2026, 0, 1);

/** A Node-ID (32 lower-case hex) that is easy to recognise in a failure: `nodeId(10)` ends in `a`. */
export function nodeId(n: number): string {
  return n.toString(16).padStart(32, '0');
}

export function randomNodeId(): string {
  return randomBytes(16).toString('hex');
}

export function user(userName: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    userName,
    passwordHash: `$argon2id$hash-of-${userName}`,
    disabled: false,
    nodeIds: [],
    createdAtMs: T0_MS,
    updatedAtMs: T0_MS,
    ...overrides,
  };
}

export function certificate(
  serialNumber: string,
  overrides: Partial<CertificateRecord> = {},
): CertificateRecord {
  return {
    serialNumber,
    userName: 'alice@example.org',
    nodeIds: [nodeId(1)],
    der: Uint8Array.from([0x30, 0x82, 0x01, serialNumber.length]),
    issuedAtMs: T0_MS,
    notBeforeMs: T0_MS,
    notAfterMs: T0_MS + 365 * 24 * 3600 * 1000,
    ...overrides,
  };
}

/** Asserts a rejection by error class and stable code (tests never depend on message text). */
export async function expectCaError(
  work: Promise<unknown>,
  type: abstract new (...args: never[]) => CaError,
  code: string,
): Promise<void> {
  const error = await work.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(type);
  expect(error).toMatchObject({ code });
}

export async function addUsers(store: EnrollmentStore, names: readonly string[]): Promise<void> {
  await Promise.all(names.map((name) => store.addUser(user(name))));
}

/** `user-000@example.org`, … : names whose text order is their numeric order. */
export function numberedNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `user-${String(i).padStart(4, '0')}@example.org`);
}

export function serials(records: { readonly certificates: readonly CertificateRecord[] }): string[] {
  return records.certificates.map((record) => record.serialNumber);
}
