import type { ErrorCodeValue } from './error-code';
import type { Destination } from './destination';

/**
 * One address at which a node accepts overlay links (proto `IceCandidate` restricted to what a
 * no-ICE overlay of gRPC links needs). `address` is opaque to the core: `host:port` for the gRPC
 * adapter, a node name in the testnet; the mapper splits it into `IpAddressPort`.
 */
export interface AttachCandidate {
  readonly address: string;
  /** Higher is preferred (ICE priority). */
  readonly priority: number;
}

/**
 * AttachReqAns (0x03 / 0x04, RFC 6940 §6.5.1): the requester offers its candidates, the responder
 * answers with its own. Departure, documented in the README: with gRPC both ends listen, so the
 * requester dials the answer's candidates (RELOAD makes the answerer the TLS client).
 */
export interface AttachRequest {
  readonly type: 'attach_req';
  readonly candidates: readonly AttachCandidate[];
  /** The responder sends a full Update once the link is up. */
  readonly sendUpdate: boolean;
}

export interface AttachAnswer {
  readonly type: 'attach_ans';
  readonly candidates: readonly AttachCandidate[];
}

/** Application-IDs of AppAttach (RFC 6940 §6.5.2 uses the IANA port): SIP and SIPS. */
export const APPLICATION_SIP = 5060;
export const APPLICATION_SIPS = 5061;

/**
 * AppAttachReq (0x1D, RFC 6940 §6.5.2): asks a node for a direct connection carrying an
 * application protocol (never RELOAD). `candidates` are where the requester can be reached.
 * The answerer refuses applications it does not run with Error_Not_Found.
 */
export interface AppAttachRequest {
  readonly type: 'app_attach_req';
  readonly application: number;
  readonly candidates: readonly AttachCandidate[];
}

/** AppAttachAns (0x1E): where the answerer accepts the application connection. */
export interface AppAttachAnswer {
  readonly type: 'app_attach_ans';
  readonly application: number;
  readonly candidates: readonly AttachCandidate[];
}

/**
 * AppData (project-private 0xF001 / 0xF002): the bytes of an application connection relayed in
 * routed messages when AppAttach found no direct path (DESIGN.md §6, ADR 0005).
 */
export interface AppDataRequest {
  readonly type: 'app_data_req';
  readonly application: number;
  readonly channelId: Uint8Array;
  readonly sequence: bigint;
  readonly data: Uint8Array;
  readonly close: boolean;
  /** How to reach the sender; on the opening message. */
  readonly replyTo: readonly Destination[];
}

export interface AppDataAnswer {
  readonly type: 'app_data_ans';
}

/** Diagnostic kind for a node's listen addresses (RFC 7851 private-use range), UTF-8, comma-separated. */
export const DIAGNOSTIC_KIND_OVERLAY_ADDRESSES = 0xf001;

/** DiagnosticsRequest (RFC 7851). */
export interface DiagnosticsRequest {
  readonly expiresAtMs: number;
  readonly initiatedAtMs: number;
  /** Bit (1 << kind) per requested kind. */
  readonly dmFlags: bigint;
}

export interface DiagnosticInfo {
  readonly kind: number;
  readonly contents: Uint8Array;
}

/** DiagnosticsResponse (RFC 7851). */
export interface DiagnosticsResponse {
  readonly expiresAtMs: number;
  readonly initiatedAtMs: number;
  readonly receivedAtMs: number;
  /** The request's TTL on arrival. */
  readonly hopCounter: number;
  readonly info: readonly DiagnosticInfo[];
}

/** PathTrackReq (0x27, RFC 7851): "what is your next hop towards `destination`?". */
export interface PathTrackRequest {
  readonly type: 'path_track_req';
  readonly destination: Destination;
  readonly request: DiagnosticsRequest;
}

/** PathTrackAns (0x28): `nextHop` is the responder itself when it is responsible. */
export interface PathTrackAnswer {
  readonly type: 'path_track_ans';
  readonly nextHop: Destination;
  readonly response: DiagnosticsResponse;
}

/** ErrorResponse (message code 0xFFFF). */
export interface ErrorAnswer {
  readonly type: 'error';
  readonly code: ErrorCodeValue;
  /** Human-readable diagnostic text. */
  readonly info: string;
}
