import { ByteQueue } from './byte-queue';
import { SipParseError } from './errors';
import { DEFAULT_LIMITS, type SipParseLimits } from './limits';
import type { SipMessage } from './message';
import {
  type MessageHead,
  buildMessage,
  findHeadEnd,
  parseMessageHead,
  skipLineBreaks,
} from './message-head';
import { parseStartLine } from './start-line';
import { decodeUtf8 } from './utf8';

export interface SipStreamFramerInit {
  /**
   * Largest message (start line, headers and body) in bytes; a longer one is an error.
   * @default 64 KiB
   */
  maxMessageBytes?: number;
  /** @default 256 */
  maxHeaders?: number;
  /** Longest start line or header, in characters. @default 8 KiB */
  maxLineLength?: number;
}

/**
 * Cuts a TCP or TLS byte stream into SIP messages (RFC 3261 §18.3): the header section ends at
 * the first empty line and Content-Length, mandatory on streams, gives the body. CRLF keep-alives
 * between messages (RFC 5626) are skipped. A SipParseError means the stream can no longer be
 * framed — there is no way to find the next message — so the framer stays failed and the caller
 * closes the connection.
 */
export class SipStreamFramer {
  private readonly limits: Required<SipParseLimits>;
  private readonly queue = new ByteQueue();
  /** Where the search for the end of the header section resumes, so each byte is scanned once. */
  private scanFrom = 0;
  private startLineChecked = false;
  private pending?: { head: MessageHead; bodyStart: number; end: number };
  private failure?: SipParseError;

  constructor(init: SipStreamFramerInit = {}) {
    this.limits = {
      maxBytes: init.maxMessageBytes ?? DEFAULT_LIMITS.maxBytes,
      maxHeaders: init.maxHeaders ?? DEFAULT_LIMITS.maxHeaders,
      maxLineLength: init.maxLineLength ?? DEFAULT_LIMITS.maxLineLength,
    };
  }

  /** Adds received bytes; returns every message they complete, in order. */
  push(chunk: Buffer): SipMessage[] {
    if (this.failure) throw this.failure;
    this.queue.append(chunk);
    const messages: SipMessage[] = [];
    try {
      for (let message = this.next(); message; message = this.next()) messages.push(message);
    } catch (error) {
      if (error instanceof SipParseError) this.failure = error;
      throw error;
    }
    return messages;
  }

  private next(): SipMessage | undefined {
    if (!this.pending && !this.readHead()) return undefined;
    const pending = this.pending;
    if (!pending || this.queue.length < pending.end) return undefined;
    const body = Buffer.from(this.queue.view().subarray(pending.bodyStart, pending.end));
    this.queue.consume(pending.end);
    this.pending = undefined;
    this.scanFrom = 0;
    this.startLineChecked = false;
    return buildMessage(pending.head, body);
  }

  /** Parses the header section once it is complete; says whether a message is now pending. */
  private readHead(): boolean {
    if (this.scanFrom === 0) this.queue.consume(skipLineBreaks(this.queue.view(), 0));
    const view = this.queue.view();
    if (view.length === 0) return false;
    const found = findHeadEnd(view, this.scanFrom);
    if (!found) {
      this.checkIncompleteHead(view);
      return false;
    }
    if (found.bodyStart > this.limits.maxBytes) throw new SipParseError('message too large');
    const head = parseMessageHead(view.subarray(0, found.headEnd), this.limits);
    // §18.3: on a stream, Content-Length is the only way to find where the body ends.
    if (head.contentLength === undefined) throw new SipParseError('missing Content-Length');
    const end = found.bodyStart + head.contentLength;
    if (end > this.limits.maxBytes) throw new SipParseError('message too large');
    this.pending = { head, bodyStart: found.bodyStart, end };
    return true;
  }

  /**
   * Fails early on a head that can never become valid: too long to fit, or a first line that is
   * not a start line. Garbage is then refused at once instead of after 64 KiB of it.
   */
  private checkIncompleteHead(view: Buffer): void {
    if (view.length > this.limits.maxBytes) throw new SipParseError('message too large');
    // The terminator (LF CR LF) may straddle chunks: rescan its first two bytes next time.
    this.scanFrom = Math.max(1, view.length - 2);
    if (this.startLineChecked) return;
    const lineEnd = view.indexOf(0x0a);
    if (lineEnd < 0) {
      if (view.length > this.limits.maxLineLength + 1) throw new SipParseError('line too long');
      return;
    }
    const line = view.subarray(0, lineEnd > 0 && view[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd);
    parseStartLine(decodeUtf8(line));
    this.startLineChecked = true;
  }
}
