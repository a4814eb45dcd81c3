import { type NodeId, nodeIdFromHex } from '@p2psip/identity';
import { ConfigurationDocumentError, type ConfigurationDocumentErrorCode } from './errors';
import type { XmlElement } from './xml';

// Readers for the typed values of the document. Every failure names the element (or attribute)
// and quotes a bounded slice of the offending text.

const XML_WHITESPACE = /[ \t\r\n]+/g;

/** Children of one element, grouped by namespace and local name. */
export class ChildElements {
  private readonly groups = new Map<string, XmlElement[]>();

  /**
   * @param known local names allowed per namespace this implementation owns; a child in one of
   *   these namespaces with another name is UNKNOWN_ELEMENT, children in other namespaces are ignored.
   */
  constructor(
    private readonly parent: XmlElement,
    known: ReadonlyMap<string, readonly string[]>,
  ) {
    for (const child of parent.children) {
      const names = known.get(child.namespace);
      if (names === undefined) continue;
      if (!names.includes(child.localName)) {
        throw documentError(
          'UNKNOWN_ELEMENT',
          `<${child.qualifiedName}> is not allowed in <${parent.localName}>`,
        );
      }
      const key = groupKey(child.namespace, child.localName);
      this.groups.set(key, [...(this.groups.get(key) ?? []), child]);
    }
  }

  all(namespace: string, localName: string): readonly XmlElement[] {
    return this.groups.get(groupKey(namespace, localName)) ?? [];
  }

  optional(namespace: string, localName: string): XmlElement | undefined {
    const found = this.all(namespace, localName);
    if (found.length > 1) {
      throw documentError(
        'INVALID_VALUE',
        `<${localName}> appears more than once in <${this.parent.localName}>`,
      );
    }
    return found[0];
  }

  required(namespace: string, localName: string): XmlElement {
    const found = this.optional(namespace, localName);
    if (!found) throw documentError('MISSING_ELEMENT', `<${this.parent.localName}> has no <${localName}>`);
    return found;
  }
}

/** The trimmed text of a leaf element. */
export function leafText(element: XmlElement): string {
  if (element.children.length > 0) {
    throw documentError('INVALID_VALUE', `<${element.localName}> must contain only text`);
  }
  return element.text.replace(XML_WHITESPACE, ' ').trim();
}

export function requiredAttribute(element: XmlElement, name: string): string {
  const value = element.attributes.get(name);
  if (value === undefined)
    throw documentError('MISSING_ELEMENT', `<${element.localName}> has no ${name} attribute`);
  return value.trim();
}

export function readInteger(element: XmlElement, min: number, max: number): number {
  return parseInteger(leafText(element), min, max, `<${element.localName}>`);
}

export function parseInteger(text: string, min: number, max: number, where: string): number {
  const value = /^\+?[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw documentError('INVALID_VALUE', `${where}: ${quote(text)} is not an integer in ${min}..${max}`);
  }
  return value;
}

export function parsePositiveNumber(text: string, where: string): number {
  const value = /^\+?[0-9]{1,10}(\.[0-9]{1,10})?$/.test(text) ? Number(text) : NaN;
  if (!(value > 0)) throw documentError('INVALID_VALUE', `${where}: ${quote(text)} is not a positive number`);
  return value;
}

/** xsd:boolean. */
export function readBoolean(element: XmlElement): boolean {
  const text = leafText(element);
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw documentError('INVALID_VALUE', `<${element.localName}>: ${quote(text)} is not true or false`);
}

/** xsd:base64Binary; whitespace (line-wrapped base64) is allowed anywhere. */
export function readBase64(element: XmlElement): Buffer {
  const text = element.children.length > 0 ? leafText(element) : element.text.replace(XML_WHITESPACE, '');
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw documentError('INVALID_VALUE', `<${element.localName}> is not base64`);
  }
  return Buffer.from(text, 'base64');
}

export function readNodeId(element: XmlElement): NodeId {
  const text = leafText(element);
  try {
    return nodeIdFromHex(text);
  } catch (cause) {
    throw documentError(
      'INVALID_VALUE',
      `<${element.localName}>: ${quote(text)} is not a 32-hex-digit Node-ID`,
      {
        cause,
      },
    );
  }
}

export function readEnum<T extends string>(element: XmlElement, allowed: readonly T[]): T | undefined {
  const text = leafText(element).toUpperCase();
  return allowed.find((value) => value === text);
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** RFC 3339 date-time, checked field by field (Date.parse would roll 02-30 over into March). */
export function parseRfc3339(text: string, where: string): Date {
  const match = RFC3339.exec(text);
  if (!match) throw documentError('INVALID_VALUE', `${where}: ${quote(text)} is not an RFC 3339 date-time`);
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match.slice(1, 7).map(Number);
  const offsetHours = Number(match[10] ?? 0);
  const offsetMinutes = Number(match[11] ?? 0);
  const milliseconds = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const local = new Date(Date.UTC(year, month - 1, day, hour, minute, second, milliseconds));
  const fieldsHold =
    local.getUTCFullYear() === year &&
    local.getUTCMonth() === month - 1 &&
    local.getUTCDate() === day &&
    local.getUTCHours() === hour &&
    local.getUTCMinutes() === minute &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  if (!fieldsHold) throw documentError('INVALID_VALUE', `${where}: ${quote(text)} is not a valid date-time`);
  const offsetMs = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60 * 1000;
  return new Date(local.getTime() - offsetMs);
}

export function documentError(
  code: ConfigurationDocumentErrorCode,
  message: string,
  options?: { cause?: unknown },
): ConfigurationDocumentError {
  return new ConfigurationDocumentError(code, message, options);
}

function groupKey(namespace: string, localName: string): string {
  return `${namespace} ${localName}`;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
