import { InvalidSipMessageError } from './errors';
import { hasControlChar, isToken, trimWhitespace } from './grammar';
import { splitHeaderList } from './header-list';
import { canonicalHeaderName, isListHeaderKey } from './header-names';

interface HeaderField {
  readonly name: string;
  readonly key: string;
  readonly value: string;
}

/**
 * The header fields of one message, in order (order matters for Via, Route and Record-Route).
 * Names are case-insensitive and compact forms are accepted (`i` is Call-ID); fields are stored
 * under their canonical name. Values are checked on the way in: a name that is not a token or a
 * value holding CR/LF would let a caller inject header lines into what we send.
 */
export class SipHeaders {
  private fields: HeaderField[] = [];

  constructor(entries: Iterable<readonly [string, string]> = []) {
    for (const [name, value] of entries) this.append(name, value);
  }

  /** Number of header lines (not of list elements). */
  get size(): number {
    return this.fields.length;
  }

  /** The first value: the first list element for list headers (the topmost Via), else the first line. */
  get(name: string): string | undefined {
    return this.getAll(name)[0];
  }

  /** Every value in order; list headers are split at top-level commas, one element per entry. */
  getAll(name: string): string[] {
    const key = keyOf(name);
    const values = this.fields.filter((field) => field.key === key).map((field) => field.value);
    return isListHeaderKey(key) ? values.flatMap(splitHeaderList) : values;
  }

  has(name: string): boolean {
    const key = keyOf(name);
    return this.fields.some((field) => field.key === key);
  }

  /** Replaces every line of this header with one, where the first one was (else at the end). */
  set(name: string, value: string): void {
    const field = makeField(name, value);
    const index = this.fields.findIndex((f) => f.key === field.key);
    if (index < 0) {
      this.fields.push(field);
      return;
    }
    this.remove(name);
    this.fields.splice(index, 0, field);
  }

  append(name: string, value: string): void {
    this.fields.push(makeField(name, value));
  }

  /** Adds a line before every other line of the same header: how a proxy pushes its Via. */
  prepend(name: string, value: string): void {
    const field = makeField(name, value);
    const index = this.fields.findIndex((f) => f.key === field.key);
    // With none of its kind yet, the top of the header block is where a Via or Route belongs.
    this.fields.splice(Math.max(index, 0), 0, field);
  }

  remove(name: string): void {
    const key = keyOf(name);
    this.fields = this.fields.filter((field) => field.key !== key);
  }

  /** [canonical name, value] per header line, in order; list values as they were written. */
  entries(): [string, string][] {
    return this.fields.map((field) => [field.name, field.value]);
  }

  clone(): SipHeaders {
    const copy = new SipHeaders();
    copy.fields = [...this.fields];
    return copy;
  }
}

function keyOf(name: string): string {
  return canonicalHeaderName(name).toLowerCase();
}

function makeField(name: string, value: string): HeaderField {
  if (!isToken(name)) throw new InvalidSipMessageError(`header name is not a token: ${JSON.stringify(name)}`);
  if (hasControlChar(value))
    throw new InvalidSipMessageError(`header ${name} has a control character in its value`);
  const canonical = canonicalHeaderName(name);
  return { name: canonical, key: canonical.toLowerCase(), value: trimWhitespace(value) };
}
