/**
 * Character classes of RFC 3261 §25.1, as 128-entry tables: the grammar is ASCII-only outside
 * quoted strings and reason phrases, so anything ≥ 0x80 is simply "not in the class".
 */

const ALPHANUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function charClass(chars: string): readonly boolean[] {
  const table: boolean[] = new Array<boolean>(128).fill(false);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = true;
  return table;
}

function inClass(table: readonly boolean[], code: number): boolean {
  return code < 128 && table[code] === true;
}

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
const TOKEN = charClass(ALPHANUM + "-.!%*_+`'~");
/** word: a token plus the separators Call-ID allows (callid = word [ "@" word ]). */
const WORD = charClass(ALPHANUM + '-.!%*_+`\'~()<>:\\"/[]?{}');
/** unreserved = alphanum / mark — the URI characters that never need escaping. */
export const UNRESERVED = ALPHANUM + "-_.!~*'()";

export function isTokenChar(code: number): boolean {
  return inClass(TOKEN, code);
}

export function isToken(text: string): boolean {
  return text.length > 0 && everyChar(text, TOKEN);
}

export function isWord(text: string): boolean {
  return text.length > 0 && everyChar(text, WORD);
}

export function isDigits(text: string): boolean {
  return /^[0-9]+$/.test(text);
}

export function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** Trims SP and HT only: String#trim would also eat U+00A0 and friends, which are header text. */
export function trimWhitespace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** CTL characters other than HT: never allowed in a header line, even inside quotes. */
export function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

/** A character table built from a string, for the URI component escapers. */
export function makeCharClass(chars: string): (code: number) => boolean {
  const table = charClass(chars);
  return (code) => inClass(table, code);
}

function everyChar(text: string, table: readonly boolean[]): boolean {
  for (let i = 0; i < text.length; i++) if (!inClass(table, text.charCodeAt(i))) return false;
  return true;
}
