import type { SipMessage } from './message';
import { formatStartLine } from './start-line';

/**
 * Writes a message with CRLF line ends. Content-Length always states the body's real length:
 * any Content-Length the headers carried is replaced in place (or one is added at the end), so a
 * stale value can never desynchronise a stream receiver.
 */
export function serializeSipMessage(message: SipMessage): Buffer {
  const lines = [formatStartLine(message)];
  const contentLength = `Content-Length: ${message.body.length}`;
  let lengthWritten = false;
  for (const [name, value] of message.headers.entries()) {
    if (name !== 'Content-Length') {
      lines.push(`${name}: ${value}`);
    } else if (!lengthWritten) {
      lines.push(contentLength);
      lengthWritten = true;
    }
  }
  if (!lengthWritten) lines.push(contentLength);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), message.body]);
}
