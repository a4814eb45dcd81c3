export { escapeXml, hasOnlyXmlChars } from './text';
export { type XmlElement, parseXml } from './tree';
