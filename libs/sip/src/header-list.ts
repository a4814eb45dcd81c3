import { trimWhitespace } from './grammar';

/**
 * Splits a list header value at top-level commas (RFC 3261 §7.3.1), never inside a quoted string
 * (`"Doe, John" <sip:…>`) or angle brackets (`<sip:a;x=1,2>` is not legal but seen), and drops
 * empty elements. Linear: one pass, no backtracking, whatever the input.
 */
export function splitHeaderList(value: string): string[] {
  const elements: string[] = [];
  let start = 0;
  let inQuotes = false;
  let inBrackets = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuotes) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inQuotes = false;
    } else if (c === 0x22) {
      inQuotes = true;
    } else if (c === 0x3c) {
      inBrackets = true;
    } else if (c === 0x3e) {
      inBrackets = false;
    } else if (c === 0x2c && !inBrackets) {
      elements.push(value.slice(start, i));
      start = i + 1;
    }
  }
  elements.push(value.slice(start));
  return elements.map((element) => trimWhitespace(element)).filter((element) => element !== '');
}
