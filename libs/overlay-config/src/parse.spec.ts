import type { CertificateAuthority } from '@p2psip/identity';
import fc from 'fast-check';
import { renderConfigurationXml, renderOverlayDocument, signConfiguration } from './document';
import { ConfigurationDocumentError } from './errors';
import type { OverlayConfiguration } from './model';
import { parseConfigurationDocument } from './parse';
import { NODE_A, NODE_B, createTestAuthority, issueTestSigner, testConfiguration } from './test-pki';

const BASE = 'urn:ietf:params:xml:ns:p2p:config-base';

/** A document written by hand the way RFC 6940's example is: other prefixes, defaults left out. */
function handWritten(rootCert: Buffer, extra = ''): string {
  const wrapped = rootCert.toString('base64').replace(/.{1,64}/g, '\n      $&');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rl:overlay xmlns:rl="${BASE}" xmlns:ch="urn:ietf:params:xml:ns:p2p:config-chord" xmlns:ext="urn:example:ext">
  <!-- the RFC's example also puts foreign attributes and elements in -->
  <rl:configuration instance-name="P2PSIP.test" sequence="22" expiration="2030-07-01T09:30:00+02:00" ext:note="x">
    <rl:root-cert>${wrapped}
    </rl:root-cert>
    <rl:enrollment-server><![CDATA[https://enroll.p2psip.test/?a=1&b=2]]></rl:enrollment-server>
    <rl:bootstrap-node address="192.0.2.2"/>
    <ch:chord-ping-interval> 30 </ch:chord-ping-interval>
    <rl:clients-permitted>&#x66;alse</rl:clients-permitted>
    <rl:configuration-signer>0C51A942F50C828AEF82A5AF83E8ED59</rl:configuration-signer>
    <rl:kind-signer>0c51a942f50c828aef82a5af83e8ed59</rl:kind-signer>
    <ext:example-extension>foo</ext:example-extension>
    <rl:multicast-bootstrap address="233.252.0.1" port="6084"/>
    <rl:required-kinds>
      <rl:kind-block>
        <rl:kind id="4026531841">
          <rl:data-model>array</rl:data-model>
          <rl:access-control>USER-MATCH</rl:access-control>
          <rl:max-count>22</rl:max-count>
          <rl:max-size>4</rl:max-size>
          <ext:example-kind-extension>1</ext:example-kind-extension>
        </rl:kind>
      </rl:kind-block>
    </rl:required-kinds>${extra}
  </rl:configuration>
</rl:overlay>
`;
}

function codeOf(input: string | Uint8Array): string | undefined {
  try {
    parseConfigurationDocument(input);
  } catch (error) {
    if (!(error instanceof ConfigurationDocumentError)) throw error;
    return error.code;
  }
  return undefined;
}

describe('overlay-config — parsing documents', () => {
  let authority: CertificateAuthority;
  let config: OverlayConfiguration;
  let signed: string;
  let sample: string;

  beforeAll(async () => {
    authority = await createTestAuthority();
    const signer = await issueTestSigner(authority, NODE_A);
    config = {
      ...testConfiguration(authority, NODE_A),
      badNodes: [NODE_B],
      mandatoryExtensions: ['urn:x-p2psip:config:1'],
      rateLimitPerIdentity: { requestsPerSecond: 0.5, burst: 3 },
      redirBranchingFactor: 16,
      kinds: [{ id: 0xf0000001, dataModel: 'ARRAY', accessControl: 'USER-MATCH', maxCount: 4, maxSize: 256 }],
    };
    signed = signConfiguration(config, signer.signer);
    sample = handWritten(authority.certificate.der);
  });

  it('reads back what it renders', () => {
    const parsed = parseConfigurationDocument(signed);
    expect(parsed.configuration).toEqual(config);
    expect(parsed.signature).toBeDefined();
    expect(parsed.kinds.map((kind) => kind.kindId)).toEqual([0xf0000001]);
    expect(
      parseConfigurationDocument(
        renderOverlayDocument([{ configurationText: renderConfigurationXml(config) }]),
      ),
    ).toMatchObject({ configuration: config, signature: undefined, kinds: [{ signature: undefined }] });
  });

  it('resolves any prefixes, applies the RFC defaults to absent elements and ignores foreign ones', () => {
    expect(parseConfigurationDocument(sample).configuration).toEqual({
      instanceName: 'P2PSIP.test',
      sequence: 22,
      expiration: new Date('2030-07-01T07:30:00Z'),
      topologyPlugin: 'CHORD-RELOAD',
      nodeIdLength: 16,
      rootCerts: [authority.certificate.der],
      enrollmentServers: ['https://enroll.p2psip.test/?a=1&b=2'],
      selfSignedPermitted: false,
      bootstrapNodes: [{ address: '192.0.2.2', port: 6084 }],
      turnDensity: 1,
      clientsPermitted: false,
      noIce: false,
      chordUpdateIntervalS: 600,
      chordPingIntervalS: 30,
      chordReactive: true,
      maxMessageSize: 5000,
      initialTtl: 100,
      overlayReliabilityTimerMs: 3000,
      overlayLinkProtocols: ['TLS'],
      kindSigners: [NODE_A],
      configurationSigners: [NODE_A],
      badNodes: [],
      mandatoryExtensions: [],
      kinds: [{ id: 0xf0000001, dataModel: 'ARRAY', accessControl: 'USER-MATCH', maxCount: 22, maxSize: 4 }],
      selfRegistration: false,
      allowedDomains: [],
      maxNodeIdsPerUser: 8,
      redirBranchingFactor: 10,
    });
  });

  it('returns the exact element text, CRLFs and all, from UTF-8 bytes with a BOM', () => {
    const text = '\uFEFF' + sample.replace(/\n/g, '\r\n');
    const parsed = parseConfigurationDocument(Buffer.from(text, 'utf8'));
    const start = text.indexOf('<rl:configuration');
    const end = text.indexOf('</rl:configuration>') + '</rl:configuration>'.length;
    expect(parsed.configurationText).toBe(text.slice(start, end));
    const kind = text.slice(text.indexOf('<rl:kind id'), text.indexOf('</rl:kind>') + '</rl:kind>'.length);
    expect(parsed.kinds).toEqual([{ kindId: 0xf0000001, text: kind, signature: undefined }]);
  });

  it.each<[string, (document: string) => string | Uint8Array, string]>([
    ['text that is not XML', () => 'hello', 'MALFORMED_XML'],
    ['an unclosed element', (d) => d.replace('</rl:overlay>', ''), 'MALFORMED_XML'],
    [
      'a DOCTYPE',
      (d) => d.replace('<rl:overlay', '<!DOCTYPE x [<!ENTITY e "x">]>\n<rl:overlay'),
      'MALFORMED_XML',
    ],
    ['an undefined entity', (d) => d.replace('&#x66;alse', '&bogus;'), 'MALFORMED_XML'],
    ['a reference to a non-character', (d) => d.replace('&#x66;alse', '&#0;'), 'MALFORMED_XML'],
    [
      'an unbound prefix',
      (d) => d.replace('<ext:example-extension>foo</ext:example-extension>', '<zz:x/>'),
      'MALFORMED_XML',
    ],
    ['a control character', (d) => d.replace('foo', 'f\u0001o'), 'MALFORMED_XML'],
    [
      'bytes that are not UTF-8',
      (d) => Buffer.concat([Buffer.from(d), Buffer.of(0xc3, 0x28)]),
      'MALFORMED_XML',
    ],
    [
      'another declared encoding',
      (d) => d.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'),
      'MALFORMED_XML',
    ],
    ['"<" in an attribute', (d) => d.replace('ext:note="x"', 'ext:note="<"'), 'MALFORMED_XML'],
    ['a root other than overlay', (d) => d.replace(/rl:overlay/g, 'rl:overlays'), 'MISSING_ELEMENT'],
    ['no configuration', () => `<overlay xmlns="${BASE}"/>`, 'MISSING_ELEMENT'],
    ['no sequence', (d) => d.replace(' sequence="22"', ''), 'MISSING_ELEMENT'],
    ['no root-cert', (d) => d.replace(/<rl:root-cert>[^]*<\/rl:root-cert>/, ''), 'MISSING_ELEMENT'],
    [
      'no configuration-signer',
      (d) => d.replace(/<rl:configuration-signer>.*<\/rl:configuration-signer>/, ''),
      'MISSING_ELEMENT',
    ],
    ['a kind without max-size', (d) => d.replace('<rl:max-size>4</rl:max-size>', ''), 'MISSING_ELEMENT'],
    [
      'a turn-density that is not a number',
      (d) => add(d, '<rl:turn-density>abc</rl:turn-density>'),
      'INVALID_VALUE',
    ],
    ['a sequence of 65535', (d) => d.replace('sequence="22"', 'sequence="65535"'), 'INVALID_VALUE'],
    [
      'a singleton twice',
      (d) => add(d, '<rl:no-ice>true</rl:no-ice><rl:no-ice>1</rl:no-ice>'),
      'INVALID_VALUE',
    ],
    [
      'an impossible date',
      (d) => d.replace('2030-07-01T09:30:00+02:00', '2030-02-30T09:30:00Z'),
      'INVALID_VALUE',
    ],
    [
      'a 64-bit Node-ID',
      (d) => d.replace('0C51A942F50C828AEF82A5AF83E8ED59', '47112162e84c69ba'),
      'INVALID_VALUE',
    ],
    [
      'a kind with both id and name',
      (d) => d.replace('id="4026531841"', 'id="1" name="SIP-REGISTRATION"'),
      'INVALID_VALUE',
    ],
    ['a signature that is not base64', (d) => sign(d, '@@@@'), 'INVALID_VALUE'],
    ['a signature that is no SecurityBlock', (d) => sign(d, 'AAAA'), 'INVALID_VALUE'],
    [
      'a signature without configuration',
      (d) => d.replace('<!--', '<rl:signature>AAAA</rl:signature><!--'),
      'INVALID_VALUE',
    ],
    [
      'a value validation refuses',
      (d) => add(d, '<rl:overlay-reliability-timer>100</rl:overlay-reliability-timer>'),
      'INVALID_VALUE',
    ],
    ['an unknown base element', (d) => add(d, '<rl:shiny-new-thing/>'), 'UNKNOWN_ELEMENT'],
    [
      'an unknown chord element',
      (d) => add(d, '<ch:chord-whatever>1</ch:chord-whatever>'),
      'UNKNOWN_ELEMENT',
    ],
    [
      'another topology',
      (d) => add(d, '<rl:topology-plugin>KADEMLIA</rl:topology-plugin>'),
      'UNSUPPORTED_FEATURE',
    ],
    [
      'self-signed mode',
      (d) => add(d, '<rl:self-signed-permitted digest="sha1">true</rl:self-signed-permitted>'),
      'UNSUPPORTED_FEATURE',
    ],
    ['a shared secret', (d) => add(d, '<rl:shared-secret>pw</rl:shared-secret>'), 'UNSUPPORTED_FEATURE'],
    [
      'an unknown kind name',
      (d) => d.replace('id="4026531841"', 'name="ACCESS-CONTROL-LIST"'),
      'UNSUPPORTED_FEATURE',
    ],
    [
      'a mandatory foreign extension',
      (d) => add(d, '<rl:mandatory-extension>urn:example:ext</rl:mandatory-extension>'),
      'UNSUPPORTED_EXTENSION',
    ],
  ])('refuses %s', (_what, edit, code) => {
    expect(codeOf(sample)).toBeUndefined();
    expect(codeOf(edit(sample))).toBe(code);
  });

  it('accepts our own namespace as a mandatory extension', () => {
    expect(
      codeOf(add(sample, '<rl:mandatory-extension>urn:x-p2psip:config:1</rl:mandatory-extension>')),
    ).toBeUndefined();
  });

  it('reads ReDiR’s branching factor in its own namespace, and refuses one outside 2..256', () => {
    const redir = (text: string) =>
      add(
        sample,
        `<r:branching-factor xmlns:r="urn:ietf:params:xml:ns:p2p:redir">${text}</r:branching-factor>`,
      );
    expect(parseConfigurationDocument(redir('16')).configuration.redirBranchingFactor).toBe(16);
    expect(codeOf(redir('1'))).toBe('INVALID_VALUE');
    expect(codeOf(redir('257'))).toBe('INVALID_VALUE');
    expect(
      codeOf(add(sample, '<r:start-level xmlns:r="urn:ietf:params:xml:ns:p2p:redir">2</r:start-level>')),
    ).toBe('UNKNOWN_ELEMENT');
    expect(
      codeOf(
        add(sample, '<rl:mandatory-extension>urn:ietf:params:xml:ns:p2p:redir</rl:mandatory-extension>'),
      ),
    ).toBeUndefined();
  });

  it('never throws anything but ConfigurationDocumentError on garbage', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), expectOnlyDocumentErrors), {
      numRuns: 500,
    });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), expectOnlyDocumentErrors), { numRuns: 500 });
  });

  it('never throws anything but ConfigurationDocumentError on damaged documents', () => {
    const tokens = fc.constantFrom(
      ...['<', '>', '&', '"', "'", '/', '</', '/>', '<!--', '-->', ']]>', '<![CDATA[', '=', ' ', ':', 'x:'],
      ...[
        'xmlns:q="urn:q"',
        'xmlns=""',
        '&amp;',
        '&#0;',
        '&#x1F600;',
        '\u0000',
        '\uD800',
        '😀',
        '65535',
        '-1',
      ],
      ...['<kind-block>', '<rl:kind>', '<signature>AAAA</signature>', '<!DOCTYPE a>', '<?pi x?>', 'true'],
    );
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat({ max: 12 }),
      insert: fc.array(tokens, { maxLength: 3 }).map((parts) => parts.join('')),
    });
    fc.assert(
      fc.property(fc.boolean(), fc.array(edit, { minLength: 1, maxLength: 4 }), (useSigned, edits) => {
        let text = useSigned ? signed : sample;
        for (const { at, remove, insert } of edits) {
          const position = at % (text.length + 1);
          text = text.slice(0, position) + insert + text.slice(position + remove);
        }
        expectOnlyDocumentErrors(text);
      }),
      { numRuns: 1500 },
    );
  });
});

function add(document: string, children: string): string {
  return document.replace('</rl:required-kinds>', `</rl:required-kinds>\n    ${children}`);
}

function sign(document: string, base64: string): string {
  return document.replace(
    '</rl:configuration>',
    `</rl:configuration>\n  <rl:signature>${base64}</rl:signature>`,
  );
}

function expectOnlyDocumentErrors(input: string | Uint8Array): void {
  try {
    parseConfigurationDocument(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationDocumentError);
  }
}
