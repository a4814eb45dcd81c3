import { ConfigurationDocumentError, SecurityBlockError } from './errors';
import { CONFIG_BASE_NAMESPACE, type OverlayConfiguration } from './model';
import { mapConfiguration } from './parse-configuration';
import { documentError, readBase64 } from './parse-values';
import { type SecurityBlock, decodeSecurityBlock } from './security-block';
import { type XmlElement, parseXml } from './xml';

/** A `<kind>` element as it stands in the document, with its kind-signature. */
export interface KindElement {
  readonly kindId: number;
  /** The exact `<kind …>…</kind>` text the kind-signature covers (as UTF-8). */
  readonly text: string;
  readonly signature: SecurityBlock | undefined;
}

export interface ParsedConfigurationDocument {
  readonly configuration: OverlayConfiguration;
  /** The exact `<configuration …>…</configuration>` text of the document; the signature covers its UTF-8 bytes. */
  readonly configurationText: string;
  readonly signature: SecurityBlock | undefined;
  readonly kinds: readonly KindElement[];
}

export interface ParseConfigurationOptions {
  /** Which `<configuration>` to read, by instance-name (case-insensitive); @default the first */
  readonly instanceName?: string;
}

/**
 * Reads an overlay configuration document without checking signatures (see verify.ts for that).
 * Throws only ConfigurationDocumentError.
 */
export function parseConfigurationDocument(
  xml: string | Uint8Array,
  options: ParseConfigurationOptions = {},
): ParsedConfigurationDocument {
  const document = readOverlayDocument(xml);
  const wanted = options.instanceName;
  const entry = wanted === undefined ? document.entries[0] : findInstance(document, wanted);
  if (!entry) {
    throw documentError('MISSING_ELEMENT', `the document has no configuration for ${JSON.stringify(wanted)}`);
  }
  return mapEntry(document, entry);
}

/** A `<configuration>` element and the `<signature>` that follows it. */
export interface DocumentEntry {
  readonly instanceName: string | undefined;
  readonly element: XmlElement;
  readonly signature: XmlElement | undefined;
}

/** The document's text (the exact characters signatures refer to) and its configurations, unmapped. */
export interface OverlayDocument {
  readonly text: string;
  readonly entries: readonly DocumentEntry[];
}

export function readOverlayDocument(xml: string | Uint8Array): OverlayDocument {
  const text = decodeDocument(xml);
  const root = parseXml(text);
  if (root.namespace !== CONFIG_BASE_NAMESPACE || root.localName !== 'overlay') {
    throw documentError('MISSING_ELEMENT', `the root element must be <overlay> in ${CONFIG_BASE_NAMESPACE}`);
  }
  const entries = pairEntries(root);
  if (entries.length === 0) throw documentError('MISSING_ELEMENT', '<overlay> has no <configuration>');
  return { text, entries };
}

export function findInstance(document: OverlayDocument, instanceName: string): DocumentEntry | undefined {
  // Overlay names are DNS names, which compare case-insensitively.
  const wanted = instanceName.toLowerCase();
  return document.entries.find((entry) => entry.instanceName?.toLowerCase() === wanted);
}

export function mapEntry(document: OverlayDocument, entry: DocumentEntry): ParsedConfigurationDocument {
  const { configuration, kinds } = mapConfiguration(entry.element);
  const textOf = (element: XmlElement): string => document.text.slice(element.start, element.end);
  return {
    configuration,
    configurationText: textOf(entry.element),
    signature: entry.signature && readSignature(entry.signature),
    kinds: kinds.map((kind) => ({
      kindId: kind.definition.id,
      text: textOf(kind.element),
      signature: kind.signatureElement && readSignature(kind.signatureElement),
    })),
  };
}

/** Each `<signature>` signs the `<configuration>` right before it (RFC 6940 §11.1). */
function pairEntries(root: XmlElement): DocumentEntry[] {
  const entries: {
    instanceName: string | undefined;
    element: XmlElement;
    signature: XmlElement | undefined;
  }[] = [];
  for (const child of root.children) {
    if (child.namespace !== CONFIG_BASE_NAMESPACE) continue;
    if (child.localName === 'configuration') {
      entries.push({
        instanceName: child.attributes.get('instance-name')?.trim(),
        element: child,
        signature: undefined,
      });
    } else if (child.localName === 'signature') {
      const last = entries.at(-1);
      if (!last || last.signature)
        throw documentError('INVALID_VALUE', '<signature> must follow its <configuration>');
      last.signature = child;
    } else {
      throw documentError('UNKNOWN_ELEMENT', `<${child.qualifiedName}> is not allowed in <overlay>`);
    }
  }
  return entries;
}

function readSignature(element: XmlElement): SecurityBlock {
  try {
    return decodeSecurityBlock(readBase64(element));
  } catch (cause) {
    if (!(cause instanceof SecurityBlockError)) throw cause;
    throw documentError('INVALID_VALUE', `<${element.localName}>: ${cause.message}`, { cause });
  }
}

/**
 * The document is UTF-8 (RFC 6940 §11.1). Invalid sequences are refused rather than replaced:
 * replacing would change the bytes a signature covers.
 */
function decodeDocument(xml: string | Uint8Array): string {
  if (typeof xml === 'string') return xml.startsWith('\uFEFF') ? xml.slice(1) : xml;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(xml);
  } catch (cause) {
    throw new ConfigurationDocumentError('MALFORMED_XML', 'the document is not valid UTF-8', { cause });
  }
}
