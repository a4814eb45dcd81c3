import { ConfigurationDocumentError } from '../errors';
import { decodeAttributeValue, decodeXmlText } from './text';

/** An element's qualified name and exact extent [start, end) in the source text. */
export interface RawElement {
  readonly name: string;
  readonly start: number;
  end: number;
  readonly children: RawElement[];
}

// RELOAD documents nest five deep; anything far deeper is garbage or an attack on the parser.
const MAX_DEPTH = 32;
const ONLY_WHITESPACE = /^[ \t\r\n]*$/;

/**
 * Finds every element's byte range. Signatures cover the exact text of `<configuration>` and
 * `<kind>` elements, and a parser that builds objects cannot say where an element ended, so this
 * tokenizer walks the markup itself. It also refuses what the (lenient) validator lets through: a
 * DOCTYPE, undefined entities, `<` in attribute values, `]]>` in text, text outside the root.
 */
export function scanElements(text: string): RawElement {
  return new ElementScanner(text).scan();
}

class ElementScanner {
  private readonly stack: RawElement[] = [];
  private root: RawElement | undefined;
  // Sticky expressions carry their position in lastIndex, so each scanner owns its own.
  private readonly namePattern = /[^\s/>=<"'&]+/y;
  private readonly whitespacePattern = /[ \t\r\n]*/y;

  constructor(private readonly text: string) {}

  scan(): RawElement {
    this.checkDeclaration();
    let position = 0;
    while (position < this.text.length) {
      const open = this.text.indexOf('<', position);
      const stop = open < 0 ? this.text.length : open;
      this.checkCharacterData(position, stop);
      if (open < 0) break;
      position = this.readMarkup(open);
    }
    const unclosed = this.stack.at(-1);
    if (unclosed) throw malformed(`<${unclosed.name}> is never closed`);
    if (!this.root) throw malformed('the document has no root element');
    return this.root;
  }

  private checkDeclaration(): void {
    if (!/^<\?xml[ \t\r\n]/.test(this.text)) return;
    const declaration = this.text.slice(0, this.text.indexOf('?>') + 2);
    const encoding = /encoding\s*=\s*["']([^"']*)["']/.exec(declaration)?.[1];
    if (encoding !== undefined && encoding.toLowerCase() !== 'utf-8') {
      throw malformed(`the document must be UTF-8, it declares ${encoding.slice(0, 40)}`);
    }
  }

  private checkCharacterData(from: number, to: number): void {
    if (from === to) return;
    const data = this.text.slice(from, to);
    if (this.stack.length === 0) {
      if (!ONLY_WHITESPACE.test(data)) throw malformed('text outside the root element');
      return;
    }
    if (data.includes(']]>')) throw malformed('"]]>" must not appear in text');
    decodeXmlText(data);
  }

  private readMarkup(at: number): number {
    const text = this.text;
    if (text.startsWith('<!--', at)) return this.skipPast('-->', at + 4, 'comment');
    if (text.startsWith('<![CDATA[', at)) {
      if (this.stack.length === 0) throw malformed('a CDATA section outside the root element');
      return this.skipPast(']]>', at + 9, 'CDATA section');
    }
    if (text.startsWith('<?', at)) return this.skipPast('?>', at + 2, 'processing instruction');
    if (text.startsWith('<!', at)) throw malformed('DOCTYPE and other declarations are not accepted');
    if (text.startsWith('</', at)) return this.readEndTag(at);
    return this.readStartTag(at);
  }

  private skipPast(terminator: string, from: number, what: string): number {
    const end = this.text.indexOf(terminator, from);
    if (end < 0) throw malformed(`unterminated ${what}`);
    return end + terminator.length;
  }

  private readStartTag(at: number): number {
    const name = this.nameAt(at + 1, 'a start tag');
    let position = at + 1 + name.length;
    for (;;) {
      const next = this.skipWhitespace(position);
      if (this.text.startsWith('/>', next)) return this.openElement(name, at, next + 2, true);
      if (this.text[next] === '>') return this.openElement(name, at, next + 1, false);
      if (next >= this.text.length) throw malformed(`<${name}> is not terminated`);
      if (next === position) throw malformed(`<${name}>: attributes must be separated by whitespace`);
      position = this.readAttribute(next, name);
    }
  }

  private readAttribute(at: number, tag: string): number {
    const name = this.nameAt(at, `an attribute of <${tag}>`);
    const equals = this.skipWhitespace(at + name.length);
    if (this.text[equals] !== '=') throw malformed(`<${tag}>: attribute ${name} has no value`);
    const open = this.skipWhitespace(equals + 1);
    const quote = this.text[open];
    if (quote !== '"' && quote !== "'") throw malformed(`<${tag}>: attribute ${name} is not quoted`);
    const close = this.text.indexOf(quote, open + 1);
    if (close < 0) throw malformed(`<${tag}>: attribute ${name} is not terminated`);
    const value = this.text.slice(open + 1, close);
    if (value.includes('<')) throw malformed(`<${tag}>: "<" must be escaped in attribute ${name}`);
    decodeAttributeValue(value);
    return close + 1;
  }

  private openElement(name: string, start: number, end: number, selfClosing: boolean): number {
    const element: RawElement = { name, start, end, children: [] };
    const parent = this.stack.at(-1);
    if (parent) parent.children.push(element);
    else if (this.root) throw malformed('more than one root element');
    else this.root = element;
    if (!selfClosing) {
      if (this.stack.length >= MAX_DEPTH) throw malformed(`elements nest deeper than ${MAX_DEPTH}`);
      this.stack.push(element);
    }
    return end;
  }

  private readEndTag(at: number): number {
    const name = this.nameAt(at + 2, 'an end tag');
    const close = this.skipWhitespace(at + 2 + name.length);
    if (this.text[close] !== '>') throw malformed(`</${name}> is not terminated`);
    const element = this.stack.pop();
    if (element?.name !== name) {
      throw malformed(`</${name}> does not close ${element ? `<${element.name}>` : 'any element'}`);
    }
    element.end = close + 1;
    return close + 1;
  }

  private nameAt(at: number, what: string): string {
    this.namePattern.lastIndex = at;
    const name = this.namePattern.exec(this.text)?.[0];
    if (name === undefined) throw malformed(`${what} at offset ${at} has no name`);
    return name;
  }

  private skipWhitespace(at: number): number {
    this.whitespacePattern.lastIndex = at;
    return this.whitespacePattern.exec(this.text) ? this.whitespacePattern.lastIndex : at;
  }
}

function malformed(message: string): ConfigurationDocumentError {
  return new ConfigurationDocumentError('MALFORMED_XML', message);
}
