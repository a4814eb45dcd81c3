import { InvalidSipMessageError, SipParseError } from './errors';
import { isToken } from './grammar';
import { SipHeaders } from './headers';
import { newTag } from './ids';
import type { SipRequest, SipResponse } from './message';
import { parseNameAddr } from './name-addr';
import { defaultReasonPhrase } from './reason-phrases';

export interface CreateResponseOptions {
  /** The To tag to add when the request's To has none. @default a fresh newTag() (not for 100) */
  toTag?: string;
  /** @default empty */
  body?: Buffer;
  /** Content-Type of the body; none is written when undefined. */
  contentType?: string;
}

/**
 * A response to `request` as §8.2.6 builds it: every Via line in order, From, To, Call-ID and
 * CSeq copied, a To tag added when the request had none (§8.2.6.2; optional for 100 Trying, so
 * added there only if `toTag` is given), and Timestamp echoed in a 100 (§8.2.6.1). A To that does
 * not parse is copied untouched, so that even a malformed request can be answered with a 400.
 */
export function createResponse(
  request: SipRequest,
  status: number,
  reason: string = defaultReasonPhrase(status),
  options: CreateResponseOptions = {},
): SipResponse {
  if (!Number.isInteger(status) || status < 100 || status > 699) {
    throw new InvalidSipMessageError(`status must be an integer in 100–699, not ${status}`);
  }
  if (options.toTag !== undefined && !isToken(options.toTag)) {
    throw new InvalidSipMessageError(`a tag must be a token: ${JSON.stringify(options.toTag)}`);
  }
  const copied = ['Via', 'From', 'To', 'Call-ID', 'CSeq', ...(status === 100 ? ['Timestamp'] : [])];
  const tag = options.toTag ?? (status === 100 ? undefined : newTag());
  const headers = new SipHeaders();
  for (const [name, value] of request.headers.entries()) {
    if (!copied.includes(name)) continue;
    headers.append(name, name === 'To' && tag !== undefined ? withTag(value, tag) : value);
  }
  if (options.contentType !== undefined) headers.set('Content-Type', options.contentType);
  return { kind: 'response', status, reason, headers, body: options.body ?? Buffer.alloc(0) };
}

/** Appends `;tag=` textually, keeping the To exactly as the UAC wrote it (§8.2.6.2). */
function withTag(to: string, tag: string): string {
  try {
    return parseNameAddr(to).params.has('tag') ? to : `${to};tag=${tag}`;
  } catch (error) {
    if (error instanceof SipParseError) return to;
    throw error;
  }
}
