import { spawnSync } from 'node:child_process';
import type { CertificateAuthority } from '@p2psip/identity';
import { XMLValidator } from 'fast-xml-parser';
import { renderConfigurationXml, renderOverlayDocument, signConfiguration } from './document';
import { ConfigurationSigningError, InvalidConfigurationError, type OverlayConfigError } from './errors';
import type { OverlayConfiguration } from './model';
import { parseConfigurationDocument } from './parse';
import { certificateHash, verifyBytes } from './signing';
import {
  NODE_A,
  NODE_B,
  type TestSigner,
  createTestAuthority,
  issueTestSigner,
  testConfiguration,
} from './test-pki';

const hasXmllint = spawnSync('sh', ['-c', 'command -v xmllint']).status === 0;

/** Well-formedness by fast-xml-parser's validator and, where installed, by libxml2. */
function expectWellFormed(xml: string): void {
  expect(XMLValidator.validate(xml)).toBe(true);
  if (hasXmllint) {
    const result = spawnSync('xmllint', ['--noout', '-'], { input: xml, encoding: 'utf8' });
    expect([result.status, result.stderr]).toEqual([0, '']);
  }
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return (error as OverlayConfigError).code;
  }
  return undefined;
}

describe('overlay-config — rendering and signing', () => {
  let authority: CertificateAuthority;
  let signerA: TestSigner;
  let config: OverlayConfiguration;

  beforeAll(async () => {
    authority = await createTestAuthority();
    signerA = await issueTestSigner(authority, NODE_A);
    config = {
      ...testConfiguration(authority, NODE_A),
      expiration: new Date('2030-07-01T00:00:00.250Z'),
      badNodes: [NODE_B],
      rateLimitPerIdentity: { requestsPerSecond: 2.5, burst: 10 },
      kinds: [
        ...testConfiguration(authority, NODE_A).kinds,
        { id: 0xf0000001, dataModel: 'ARRAY', accessControl: 'USER-MATCH', maxCount: 4, maxSize: 256 },
      ],
    };
  });

  it('uses the element names and namespaces of RFC 6940 §11.1', () => {
    const xml = renderConfigurationXml(config);
    const lines = xml.split('\n').map((line) => line.trim());
    expect(lines[0]).toBe(
      '<configuration xmlns="urn:ietf:params:xml:ns:p2p:config-base" ' +
        'xmlns:chord="urn:ietf:params:xml:ns:p2p:config-chord" xmlns:p2psip="urn:x-p2psip:config:1" ' +
        'xmlns:redir="urn:ietf:params:xml:ns:p2p:redir" instance-name="p2psip.test" sequence="1" expiration="2030-07-01T00:00:00.250Z">',
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        '<topology-plugin>CHORD-RELOAD</topology-plugin>',
        '<node-id-length>16</node-id-length>',
        `<root-cert>${authority.certificate.der.toString('base64')}</root-cert>`,
        '<enrollment-server>https://enroll.p2psip.test/enroll</enrollment-server>',
        '<self-signed-permitted digest="sha256">false</self-signed-permitted>',
        '<bootstrap-node address="192.0.2.1" port="6084"/>',
        '<turn-density>1</turn-density>',
        '<clients-permitted>true</clients-permitted>',
        '<no-ice>true</no-ice>',
        '<chord:chord-update-interval>60</chord:chord-update-interval>',
        '<chord:chord-ping-interval>3600</chord:chord-ping-interval>',
        '<chord:chord-reactive>true</chord:chord-reactive>',
        '<max-message-size>5000</max-message-size>',
        '<initial-ttl>100</initial-ttl>',
        '<overlay-reliability-timer>3000</overlay-reliability-timer>',
        '<overlay-link-protocol>TLS</overlay-link-protocol>',
        '<kind-signer>0c51a942f50c828aef82a5af83e8ed59</kind-signer>',
        '<configuration-signer>0c51a942f50c828aef82a5af83e8ed59</configuration-signer>',
        '<bad-node>6c1cfd6d5d9e35557d66a1b05f9e2247</bad-node>',
        '<p2psip:self-registration>false</p2psip:self-registration>',
        '<p2psip:allowed-domain>p2psip.test</p2psip:allowed-domain>',
        '<p2psip:max-node-ids-per-user>8</p2psip:max-node-ids-per-user>',
        '<p2psip:rate-limit-per-identity requests-per-second="2.5" burst="10"/>',
        '<redir:branching-factor>10</redir:branching-factor>',
        '<required-kinds>',
        '<kind-block>',
        '<kind name="SIP-REGISTRATION">',
        '<kind id="4026531841">',
        '<data-model>DICTIONARY</data-model>',
        '<access-control>USER-NODE-MATCH</access-control>',
        '<max-count>32</max-count>',
        '<max-size>1024</max-size>',
        '<max-node-multiple>20</max-node-multiple>',
        '</configuration>',
      ]),
    );
    expect(xml).not.toContain('<kind-signature>');
    expectWellFormed(renderOverlayDocument([{ configurationText: xml }]));
  });

  it('escapes < & " \' in text and attributes, and reads them back', () => {
    const url = `https://enroll.p2psip.test/enroll?a=<b>&c="d"&e='f'`;
    const xml = renderConfigurationXml({ ...config, enrollmentServers: [url] });
    expect(xml).toContain(
      '<enrollment-server>https://enroll.p2psip.test/enroll?a=&lt;b&gt;&amp;c=&quot;d&quot;&amp;e=&apos;f&apos;</enrollment-server>',
    );
    const document = renderOverlayDocument([{ configurationText: xml }]);
    expectWellFormed(document);
    expect(parseConfigurationDocument(document).configuration.enrollmentServers).toEqual([url]);
  });

  it('signs each kind and the configuration over the exact text that appears in the document', () => {
    const document = signConfiguration(config, signerA.signer);
    expectWellFormed(document);
    expect(document.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<overlay xmlns=')).toBe(true);
    const parsed = parseConfigurationDocument(document);
    expect(parsed.configurationText).toMatch(/^<configuration [^]*<\/configuration>$/);
    expect(document).toContain(`\n${parsed.configurationText}\n<signature>`);
    const signature = parsed.signature!;
    expect(signature.certificates).toEqual([{ type: 0, certificate: signerA.certificate.der }]);
    expect(signature.signature.algorithm).toEqual({ hash: 4, signature: 3 });
    expect(signature.signature.identity).toEqual({
      type: 'cert_hash',
      hashAlgorithm: 4,
      hash: certificateHash(signerA.certificate.der),
    });
    // ECDSA values travel DER-encoded, as in TLS: a SEQUENCE of two INTEGERs.
    expect(signature.signature.value[0]).toBe(0x30);
    expect(verifyBytes(Buffer.from(parsed.configurationText), signature, signerA.certificate.der)).toBe(true);
    expect(parsed.kinds).toHaveLength(config.kinds.length);
    for (const kind of parsed.kinds) {
      expect(document).toContain(kind.text);
      expect(verifyBytes(Buffer.from(kind.text), kind.signature!, signerA.certificate.der)).toBe(true);
    }
  });

  it('puts several configurations, each followed by its signature, into one document', () => {
    const signed = parseConfigurationDocument(signConfiguration(config, signerA.signer));
    const other = renderConfigurationXml({ ...config, instanceName: 'other.test', allowedDomains: [] });
    const document = renderOverlayDocument([signed, { configurationText: other }]);
    expectWellFormed(document);
    expect(parseConfigurationDocument(document).signature).toEqual(signed.signature);
    const second = parseConfigurationDocument(document, { instanceName: 'OTHER.test' });
    expect([second.configuration.instanceName, second.signature]).toEqual(['other.test', undefined]);
  });

  it('refuses a signer that is not a kind-signer, a key of another certificate and an invalid configuration', async () => {
    const signerB = await issueTestSigner(authority, NODE_B);
    const unlisted = { ...config, badNodes: [] };
    expect(codeOf(() => signConfiguration(unlisted, signerB.signer))).toBe('SIGNER_NOT_KIND_SIGNER');
    expect(codeOf(() => signConfiguration({ ...unlisted, kinds: [] }, signerB.signer))).toBeUndefined();
    const mismatched = {
      certificateDer: signerA.certificate.der,
      privateKeyPem: signerB.signer.privateKeyPem,
    };
    expect(codeOf(() => signConfiguration(unlisted, mismatched))).toBe('KEY_MISMATCH');
    expect(codeOf(() => signConfiguration(unlisted, { ...signerA.signer, privateKeyPem: 'junk' }))).toBe(
      'INVALID_SIGNER',
    );
    expect(() => signConfiguration({ ...config, sequence: -1 }, signerA.signer)).toThrow(
      InvalidConfigurationError,
    );
    expect(() => signConfiguration(unlisted, mismatched)).toThrow(ConfigurationSigningError);
  });
});
