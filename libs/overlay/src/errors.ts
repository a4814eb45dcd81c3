import { errorCodeName, type ErrorCodeValue } from './messages/error-code';

/** Base of every overlay failure: a stable UPPER_SNAKE `code`, the cause kept. */
export class OverlayError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A RELOAD error answer: received from the overlay (a request failed remotely), or thrown by a
 * request handler to answer with that code. `errorCode` is the RFC number (see `ErrorCode`).
 */
export class ReloadError extends OverlayError {
  constructor(
    readonly errorCode: ErrorCodeValue,
    readonly info: string,
    options?: { cause?: unknown },
  ) {
    super('RELOAD_ERROR', `${errorCodeName(errorCode)}: ${info}`, options);
  }
}

/** No answer after every transmission (overlay-reliability-timer × transmissions). */
export class RequestTimeoutError extends OverlayError {
  constructor(message: string) {
    super('REQUEST_TIMEOUT', message);
  }
}

/** The caller's signal aborted the operation. */
export class AbortedError extends OverlayError {
  constructor(message = 'aborted', options?: { cause?: unknown }) {
    super('ABORTED', message, options);
  }
}

/** The node was stopped (or left) while the operation was under way. */
export class NodeStoppedError extends OverlayError {
  constructor(message = 'overlay node stopped') {
    super('NODE_STOPPED', message);
  }
}

/** The operation needs a node that is part of the ring. */
export class NotJoinedError extends OverlayError {
  constructor(message = 'overlay node has not joined') {
    super('NOT_JOINED', message);
  }
}

/** Joining failed through every bootstrap address. */
export class JoinFailedError extends OverlayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('JOIN_FAILED', message, options);
  }
}

/** `start()` called with neither `first` nor bootstrap addresses, or twice. */
export class InvalidStartError extends OverlayError {
  constructor(message: string) {
    super('INVALID_START', message);
  }
}

/** A transport could not open a link (refused, unreachable, wrong certificate). */
export class ConnectFailedError extends OverlayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONNECT_FAILED', message, options);
  }
}

/** Every outbound Attach slot is taken (`maxConcurrentAttaches`); the candidate is dropped for now. */
export class AttachLimitError extends OverlayError {
  constructor(message: string) {
    super('ATTACH_LIMIT', message);
  }
}
