import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { type ErrorKind, RpcCallError } from './errors';

// The one place where failures become gRPC statuses and back. Servers send the domain code and
// RELOAD error code in trailing metadata so clients can rebuild a typed error without parsing text.
export const CODE_TRAILER = 'p2psip-error-code';
export const RELOAD_CODE_TRAILER = 'reload-error-code';

const STATUS_BY_KIND: Record<ErrorKind, status> = {
  'invalid-argument': status.INVALID_ARGUMENT,
  unauthenticated: status.UNAUTHENTICATED,
  forbidden: status.PERMISSION_DENIED,
  'not-found': status.NOT_FOUND,
  conflict: status.ALREADY_EXISTS,
  precondition: status.FAILED_PRECONDITION,
  exhausted: status.RESOURCE_EXHAUSTED,
  timeout: status.DEADLINE_EXCEEDED,
  unavailable: status.UNAVAILABLE,
  cancelled: status.CANCELLED,
};

// RELOAD error codes (RFC 6940 §14.9, RFC 7851) that arrive without a kind.
const STATUS_BY_RELOAD_CODE: Record<number, status> = {
  2: status.PERMISSION_DENIED, // Forbidden
  3: status.NOT_FOUND, // Not_Found
  4: status.DEADLINE_EXCEEDED, // Request_Timeout
  5: status.FAILED_PRECONDITION, // Generation_Counter_Too_Low
  6: status.FAILED_PRECONDITION, // Incompatible_with_Overlay
  7: status.UNIMPLEMENTED, // Unsupported_Forwarding_Option
  8: status.RESOURCE_EXHAUSTED, // Data_Too_Large
  9: status.FAILED_PRECONDITION, // Data_Too_Old
  10: status.FAILED_PRECONDITION, // TTL_Exceeded
  11: status.RESOURCE_EXHAUSTED, // Message_Too_Large
  12: status.NOT_FOUND, // Unknown_Kind
  13: status.UNIMPLEMENTED, // Unknown_Extension
  14: status.RESOURCE_EXHAUSTED, // Response_Too_Large
  15: status.FAILED_PRECONDITION, // Config_Too_Old
  16: status.FAILED_PRECONDITION, // Config_Too_New
  17: status.ABORTED, // In_Progress
  20: status.INVALID_ARGUMENT, // Invalid_Message
  21: status.UNAVAILABLE, // Underlay_Destination_Unreachable
  22: status.DEADLINE_EXCEEDED, // Underlay_Time_Exceeded
  23: status.DEADLINE_EXCEEDED, // Message_Expired
  24: status.INTERNAL, // Upstream_Misrouting
  25: status.FAILED_PRECONDITION, // Loop_Detected
  26: status.FAILED_PRECONDITION, // TTL_Hops_Exceeded
};

const KINDS = new Set<string>(Object.keys(STATUS_BY_KIND));

interface DomainErrorShape {
  message?: unknown;
  code?: unknown;
  kind?: unknown;
  reloadErrorCode?: unknown;
}

/** True for errors whose message may go to a remote caller: those that say what the caller did wrong. */
export function isDomainError(error: unknown): boolean {
  const shape = (error ?? {}) as DomainErrorShape;
  return (
    (typeof shape.kind === 'string' && KINDS.has(shape.kind)) ||
    (typeof shape.reloadErrorCode === 'number' && shape.reloadErrorCode in STATUS_BY_RELOAD_CODE)
  );
}

/**
 * A thrown value as a gRPC ServiceError. Domain errors keep their message and code; anything else
 * is INTERNAL with a generic message, so internals never leak to a remote caller.
 */
export function toServiceError(error: unknown): Partial<ServiceError> & { code: status; details: string } {
  const shape = (error ?? {}) as DomainErrorShape;
  const metadata = new Metadata();
  if (!isDomainError(error)) {
    metadata.set(CODE_TRAILER, 'INTERNAL');
    return { code: status.INTERNAL, details: 'internal error', metadata };
  }
  const grpcStatus =
    typeof shape.kind === 'string' && KINDS.has(shape.kind)
      ? STATUS_BY_KIND[shape.kind as ErrorKind]
      : (STATUS_BY_RELOAD_CODE[shape.reloadErrorCode as number] ?? status.UNKNOWN);
  if (typeof shape.code === 'string') metadata.set(CODE_TRAILER, shape.code);
  if (typeof shape.reloadErrorCode === 'number')
    metadata.set(RELOAD_CODE_TRAILER, String(shape.reloadErrorCode));
  const message = typeof shape.message === 'string' ? shape.message : 'request failed';
  return { code: grpcStatus, details: message, metadata };
}

/** The client-side view of a failed call, rebuilt from status and trailers. */
export function fromServiceError(error: ServiceError, method: string): RpcCallError {
  const trailers = error.metadata;
  const appCode = firstString(trailers?.get(CODE_TRAILER));
  const reloadCodeText = firstString(trailers?.get(RELOAD_CODE_TRAILER));
  const reloadErrorCode = reloadCodeText === undefined ? undefined : Number.parseInt(reloadCodeText, 10);
  return new RpcCallError({
    code: appCode ?? `GRPC_${status[error.code] ?? error.code}`,
    grpcStatus: error.code,
    message: error.details || error.message,
    method,
    ...(reloadErrorCode !== undefined && Number.isFinite(reloadErrorCode) ? { reloadErrorCode } : {}),
    cause: error,
  });
}

function firstString(values: unknown[] | undefined): string | undefined {
  const value = values?.[0];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : Buffer.from(value as Uint8Array).toString();
}
