import { Scanner } from './scanner';

/** The largest CSeq number: §8.1.1.5 requires it to fit a 32-bit unsigned integer. */
const MAX_SEQ = 2 ** 32 - 1;

/** CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16). */
export function parseCSeq(text: string): { seq: number; method: string } {
  const scanner = new Scanner(text, 'bad CSeq');
  scanner.skipWhitespace();
  const digits = scanner.readWhile((c) => c >= 0x30 && c <= 0x39);
  if (digits === '' || digits.length > 10 || Number(digits) > MAX_SEQ) scanner.fail();
  if (!scanner.skipWhitespace()) scanner.fail();
  const method = scanner.readToken();
  scanner.skipWhitespace();
  if (!scanner.atEnd) scanner.fail();
  return { seq: Number(digits), method };
}
