import type { CertificateFilter, CertificateRecord, UserRecord } from './enrollment-store';
import { assertNodeId, assertSerialNumber } from './identifiers';

/** A deep copy, so that neither the caller nor the store can change the other's object. */
export function copyUser(user: UserRecord): UserRecord {
  return {
    userName: user.userName,
    passwordHash: user.passwordHash,
    disabled: user.disabled,
    nodeIds: [...user.nodeIds],
    createdAtMs: user.createdAtMs,
    updatedAtMs: user.updatedAtMs,
  };
}

/**
 * A deep copy with `der` as a plain Uint8Array (adapters may hold Buffers) and no keys for absent
 * optional fields, so records compare equal whichever adapter produced them.
 */
export function copyCertificate(record: CertificateRecord): CertificateRecord {
  return {
    serialNumber: record.serialNumber,
    userName: record.userName,
    nodeIds: [...record.nodeIds],
    der: new Uint8Array(record.der),
    issuedAtMs: record.issuedAtMs,
    notBeforeMs: record.notBeforeMs,
    notAfterMs: record.notAfterMs,
    ...(record.revokedAtMs === undefined ? {} : { revokedAtMs: record.revokedAtMs }),
    ...(record.revocationReason === undefined ? {} : { revocationReason: record.revocationReason }),
  };
}

/**
 * A new user holds no Node-IDs: ids enter only through assignNodeIds, which keeps the Node-ID index
 * unique. Accepting ids here would need a second path with the same uniqueness checks.
 */
export function checkNewUser(user: UserRecord): void {
  if (user.nodeIds.length > 0) {
    throw new RangeError(`new user ${user.userName} must hold no Node-IDs; use assignNodeIds`);
  }
}

export function checkCertificate(record: CertificateRecord): void {
  assertSerialNumber(record.serialNumber);
  record.nodeIds.forEach(assertNodeId);
}

export function isRevoked(record: CertificateRecord): boolean {
  return record.revokedAtMs !== undefined;
}

export function matchesCertificateFilter(record: CertificateRecord, filter: CertificateFilter): boolean {
  if (filter.userName !== undefined && record.userName !== filter.userName) return false;
  if (filter.nodeId !== undefined && !record.nodeIds.includes(filter.nodeId)) return false;
  if (filter.revoked !== undefined && isRevoked(record) !== filter.revoked) return false;
  return true;
}

/** The user after `updateUser`: only the password hash and the disabled flag can change. */
export function applyUserChange(
  user: UserRecord,
  change: { readonly passwordHash?: string; readonly disabled?: boolean; readonly atMs: number },
): UserRecord {
  return {
    ...copyUser(user),
    passwordHash: change.passwordHash ?? user.passwordHash,
    disabled: change.disabled ?? user.disabled,
    updatedAtMs: change.atMs,
  };
}
