import { ConfigurationDocumentError } from '../errors';

// Characters XML 1.0 can carry at all (§2.2): even escaped, the other C0 controls, lone surrogates
// and U+FFFE/U+FFFF make a document malformed.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function hasOnlyXmlChars(text: string): boolean {
  return !NOT_XML_CHAR.test(text);
}

/** Escapes text for both element content and (double- or single-quoted) attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/**
 * Resolves the five predefined entities and character references. Documents carry no DTD (they
 * are refused), so any other entity name, and a bare `&`, is malformed.
 */
export function decodeXmlText(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s<]*);|&/g, (_match, body: string | undefined) => {
    if (body === undefined) throw malformed('a bare "&" must be written &amp;');
    return resolveReference(body);
  });
}

/** Attribute-value normalisation (XML 1.0 §3.3.3) for CDATA attributes, then references. */
export function decodeAttributeValue(raw: string): string {
  return decodeXmlText(raw.replace(/[\t\n\r]/g, ' '));
}

function resolveReference(body: string): string {
  if (Object.hasOwn(PREDEFINED, body)) return PREDEFINED[body];
  const numeric = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(body);
  if (!numeric) throw malformed(`undefined entity &${body.slice(0, 40)};`);
  const codePoint = numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2] ?? '', 10);
  const char = codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : '\u0000';
  if (!hasOnlyXmlChars(char)) throw malformed(`character reference &${body}; is not an XML character`);
  return char;
}

function malformed(message: string): ConfigurationDocumentError {
  return new ConfigurationDocumentError('MALFORMED_XML', message);
}
