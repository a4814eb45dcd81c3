/**
 * RELOAD error codes (RFC 6940 §6.3.3.1, IANA "Error Codes", plus RFC 7851's). The numeric values
 * are the RFC's, identical to proto `p2psip.common.v1.ErrorCode`, so the mapper copies them.
 */
export const ErrorCode = {
  Forbidden: 2,
  NotFound: 3,
  RequestTimeout: 4,
  GenerationCounterTooLow: 5,
  IncompatibleWithOverlay: 6,
  UnsupportedForwardingOption: 7,
  DataTooLarge: 8,
  DataTooOld: 9,
  TtlExceeded: 10,
  MessageTooLarge: 11,
  UnknownKind: 12,
  UnknownExtension: 13,
  ResponseTooLarge: 14,
  ConfigTooOld: 15,
  ConfigTooNew: 16,
  InProgress: 17,
  InvalidMessage: 20,
  UnderlayDestinationUnreachable: 21,
  UnderlayTimeExceeded: 22,
  MessageExpired: 23,
  UpstreamMisrouting: 24,
  LoopDetected: 25,
  TtlHopsExceeded: 26,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

const NAMES = new Map<number, string>(Object.entries(ErrorCode).map(([k, v]) => [v, k]));

/** `TtlExceeded` for 10, `Unknown(99)` for codes outside the table (logs and error messages). */
export function errorCodeName(code: number): string {
  return NAMES.get(code) ?? `Unknown(${code})`;
}
