import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ConfigurationDocumentError } from '../errors';
import { type RawElement, scanElements } from './scan';
import { decodeAttributeValue, decodeXmlText, hasOnlyXmlChars } from './text';

/** A namespace-resolved element with its exact extent [start, end) in the source text. */
export interface XmlElement {
  /** Namespace URI; '' for none. */
  readonly namespace: string;
  readonly localName: string;
  readonly qualifiedName: string;
  /** Attributes by the name as written (`instance-name`, `xmlns:chord`), values decoded. */
  readonly attributes: ReadonlyMap<string, string>;
  /** The element's own character data (text and CDATA), decoded, untrimmed. */
  readonly text: string;
  readonly children: readonly XmlElement[];
  readonly start: number;
  readonly end: number;
}

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const ATTRIBUTE_PREFIX = '@_';
const TEXT = '#text';
const CDATA = '#cdata';
const ATTRIBUTES = ':@';

interface Scope {
  readonly defaultNamespace: string;
  readonly prefixes: ReadonlyMap<string, string>;
}

type OrderedNode = Readonly<Record<string, unknown>>;

/**
 * Parses a whole document: well-formedness (fast-xml-parser's validator plus scan.ts), element
 * ranges (scan.ts), attributes and text (fast-xml-parser), namespaces (here, since the parser only
 * sees prefixes). Throws ConfigurationDocumentError MALFORMED_XML.
 */
export function parseXml(text: string): XmlElement {
  if (!hasOnlyXmlChars(text)) throw malformed('the document contains characters XML does not allow');
  validate(text);
  const skeleton = scanElements(text);
  const roots = parseOrdered(text).filter(isElementNode);
  const root = roots[0];
  if (roots.length !== 1 || !root) throw malformed('expected exactly one root element');
  const rootScope: Scope = { defaultNamespace: '', prefixes: new Map([['xml', XML_NAMESPACE]]) };
  return buildElement(root, skeleton, rootScope);
}

function validate(text: string): void {
  let verdict: ReturnType<typeof XMLValidator.validate>;
  try {
    verdict = XMLValidator.validate(text);
  } catch (cause) {
    throw malformed('the document is not well-formed XML', cause);
  }
  if (verdict !== true) {
    const { msg, line, col } = verdict.err;
    throw malformed(`${msg} (line ${line}, column ${col})`);
  }
}

function parseOrdered(text: string): OrderedNode[] {
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: ATTRIBUTE_PREFIX,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    // Entities are resolved by text.ts, which refuses undefined ones instead of passing them on.
    processEntities: false,
    cdataPropName: CDATA,
    ignoreDeclaration: true,
    ignorePiTags: true,
    // Names come from scan.ts; this only keeps `constructor` & co. from tripping the parser's
    // prototype-pollution guard, since they are legal XML names.
    transformTagName: (name) => `el:${name}`,
  });
  let nodes: unknown;
  try {
    nodes = parser.parse(text);
  } catch (cause) {
    throw malformed('the document is not well-formed XML', cause);
  }
  return Array.isArray(nodes) ? (nodes as OrderedNode[]) : [];
}

function buildElement(node: OrderedNode, raw: RawElement, outer: Scope): XmlElement {
  const attributes = readAttributes(node);
  const scope = declareNamespaces(outer, attributes, raw.name);
  const { prefix, localName } = splitName(raw.name);
  const namespace = prefix === undefined ? scope.defaultNamespace : scope.prefixes.get(prefix);
  if (namespace === undefined) throw malformed(`the prefix of <${raw.name}> is not declared`);
  const content = contentOf(node);
  const elements = content.filter(isElementNode);
  if (elements.length !== raw.children.length) throw malformed(`cannot read the content of <${raw.name}>`);
  return {
    namespace,
    localName,
    qualifiedName: raw.name,
    attributes,
    text: textOf(content),
    children: elements.map((child, index) => buildElement(child, raw.children[index], scope)),
    start: raw.start,
    end: raw.end,
  };
}

function readAttributes(node: OrderedNode): Map<string, string> {
  const attributes = new Map<string, string>();
  const raw = node[ATTRIBUTES];
  if (typeof raw !== 'object' || raw === null) return attributes;
  for (const [key, value] of Object.entries(raw)) {
    if (!key.startsWith(ATTRIBUTE_PREFIX) || typeof value !== 'string') continue;
    attributes.set(key.slice(ATTRIBUTE_PREFIX.length), decodeAttributeValue(value));
  }
  return attributes;
}

function declareNamespaces(outer: Scope, attributes: ReadonlyMap<string, string>, element: string): Scope {
  let defaultNamespace = outer.defaultNamespace;
  let prefixes = outer.prefixes;
  for (const [name, value] of attributes) {
    if (name === 'xmlns') {
      defaultNamespace = value;
    } else if (name.startsWith('xmlns:')) {
      const prefix = name.slice('xmlns:'.length);
      if (value === '' || prefix === 'xmlns' || (prefix === 'xml') !== (value === XML_NAMESPACE)) {
        throw malformed(`<${element}>: ${name}="${value.slice(0, 80)}" is not a valid declaration`);
      }
      prefixes = new Map(prefixes).set(prefix, value);
    }
  }
  return { defaultNamespace, prefixes };
}

function splitName(name: string): { prefix?: string; localName: string } {
  const parts = name.split(':');
  if (parts.length === 1) return { localName: name };
  const [prefix, localName] = parts;
  if (parts.length !== 2 || !prefix || !localName || prefix === 'xmlns') {
    throw malformed(`<${name.slice(0, 80)}> is not a valid qualified name`);
  }
  return { prefix, localName };
}

function contentOf(node: OrderedNode): OrderedNode[] {
  const value = node[nodeKey(node) ?? ''];
  return Array.isArray(value) ? (value as OrderedNode[]) : [];
}

function textOf(content: readonly OrderedNode[]): string {
  let text = '';
  for (const node of content) {
    const value = node[TEXT];
    if (typeof value === 'string') text += decodeXmlText(value);
    // CDATA is literal: no entity decoding.
    const cdata = node[CDATA];
    if (Array.isArray(cdata)) text += (cdata as OrderedNode[]).map(literalTextOf).join('');
  }
  return text;
}

function literalTextOf(node: OrderedNode): string {
  const value = node[TEXT];
  return typeof value === 'string' ? value : '';
}

function nodeKey(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ATTRIBUTES);
}

function isElementNode(node: OrderedNode): boolean {
  const key = nodeKey(node);
  return key !== undefined && key !== TEXT && key !== CDATA;
}

function malformed(message: string, cause?: unknown): ConfigurationDocumentError {
  return new ConfigurationDocumentError('MALFORMED_XML', message, { cause });
}
