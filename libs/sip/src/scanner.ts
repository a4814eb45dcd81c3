import { SipParseError } from './errors';
import { isTokenChar, isWhitespace } from './grammar';

/**
 * A cursor over one header value (already unfolded, so linear white space is only SP and HT).
 * Every failure is the same short SipParseError reason for the whole value ('bad Via'), because
 * a UAS answers "400 Bad Request" either way and the reason must not echo attacker input.
 */
export class Scanner {
  pos = 0;

  constructor(
    readonly text: string,
    private readonly reason: string,
  ) {}

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** The code unit at the cursor, or -1 at the end (so comparisons need no bounds checks). */
  peek(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  /** Skips SP/HT; says whether there was any, for the places where LWS is mandatory. */
  skipWhitespace(): boolean {
    const start = this.pos;
    while (isWhitespace(this.peek())) this.pos++;
    return this.pos > start;
  }

  consume(char: string): boolean {
    if (this.text.charCodeAt(this.pos) !== char.charCodeAt(0) || this.atEnd) return false;
    this.pos++;
    return true;
  }

  expect(char: string): void {
    if (!this.consume(char)) this.fail();
  }

  readWhile(accept: (code: number) => boolean): string {
    const start = this.pos;
    while (!this.atEnd && accept(this.text.charCodeAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** A non-empty token (RFC 3261 §25.1). */
  readToken(): string {
    const token = this.readWhile(isTokenChar);
    if (token === '') this.fail();
    return token;
  }

  /**
   * A quoted-string, returned raw with its quotes and escapes so that callers can keep it exactly
   * (quoting is meaningful in some parameters, e.g. RFC 3840 feature tags).
   */
  readQuotedString(): string {
    const start = this.pos;
    this.expect('"');
    for (;;) {
      const code = this.peek();
      if (code === -1) this.fail();
      this.pos++;
      if (code === 0x22) return this.text.slice(start, this.pos);
      if (code === 0x5c) {
        // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): any ASCII but CR and LF.
        const escaped = this.peek();
        if (escaped === -1 || escaped > 0x7f || escaped === 0x0a || escaped === 0x0d) this.fail();
        this.pos++;
      } else if ((code < 0x20 && code !== 0x09) || code === 0x7f) {
        this.fail();
      }
    }
  }

  fail(): never {
    throw new SipParseError(this.reason);
  }
}
