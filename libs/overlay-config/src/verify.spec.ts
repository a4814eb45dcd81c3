import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { type CertificateAuthority, issueNodeCertificate, nodeIdFromHex } from '@p2psip/identity';
import { renderOverlayDocument, signConfiguration } from './document';
import { ConfigurationDocumentError, ConfigurationVerificationError } from './errors';
import type { OverlayConfiguration } from './model';
import { parseConfigurationDocument } from './parse';
import { encodeSecurityBlock } from './security-block';
import { signBytes } from './signing';
import {
  NODE_A,
  NODE_B,
  NOW,
  OVERLAY,
  type TestSigner,
  createTestAuthority,
  issueTestSigner,
  testConfiguration,
} from './test-pki';
import { type VerifyConfigurationOptions, verifyConfigurationDocument } from './verify';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('overlay-config — verifying documents', () => {
  let authority: CertificateAuthority;
  let signerA: TestSigner;
  let signerB: TestSigner;
  let strangerA: TestSigner;
  let config: OverlayConfiguration;
  let document: string;
  let options: VerifyConfigurationOptions;

  beforeAll(async () => {
    authority = await createTestAuthority();
    signerA = await issueTestSigner(authority, NODE_A);
    signerB = await issueTestSigner(authority, NODE_B);
    // Same Node-ID as A, but certified by a CA the nodes do not trust.
    strangerA = await issueTestSigner(await createTestAuthority(), NODE_A);
    config = testConfiguration(authority, NODE_A);
    document = signConfiguration(config, signerA.signer);
    options = { trustedCa: authority.certificate, expectedOverlay: OVERLAY, now: NOW };
  });

  function codeOf(
    xml: string | Uint8Array,
    overrides: Partial<VerifyConfigurationOptions> = {},
  ): string | undefined {
    try {
      verifyConfigurationDocument(xml, { ...options, ...overrides });
    } catch (error) {
      if (!(error instanceof ConfigurationVerificationError || error instanceof ConfigurationDocumentError))
        throw error;
      return error.code;
    }
    return undefined;
  }

  /** Edits the configuration text of a signed document and signs the result again. */
  function resigned(edit: (configurationText: string) => string, signer = signerA): string {
    const configurationText = edit(parseConfigurationDocument(document).configurationText);
    return renderOverlayDocument([
      { configurationText, signature: signBytes(Buffer.from(configurationText, 'utf8'), signer.signer) },
    ]);
  }

  it('accepts what signConfiguration produced, from text or bytes, and returns the configuration', () => {
    expect(verifyConfigurationDocument(document, options)).toEqual(config);
    expect(verifyConfigurationDocument(Buffer.from(document, 'utf8'), options)).toEqual(config);
  });

  it('keeps non-ASCII text intact: the signature is over the UTF-8 bytes', () => {
    const unicode = { ...config, enrollmentServers: ['https://enroll.p2psip.test/ünï/😀'] };
    const signed = signConfiguration(unicode, signerA.signer);
    expect(verifyConfigurationDocument(Buffer.from(signed, 'utf8'), options)).toEqual(unicode);
  });

  it('refuses a document with one byte changed inside <configuration>, even whitespace', () => {
    expect(codeOf(document.replace('\n  <topology-plugin>', '\n   <topology-plugin>'))).toBe('BAD_SIGNATURE');
    expect(codeOf(document.replace('<max-message-size>5000<', '<max-message-size>5001<'))).toBe(
      'BAD_SIGNATURE',
    );
    expect(codeOf(document.replace('</configuration>', '</configuration >'))).toBe('BAD_SIGNATURE');
  });

  it('does not care about bytes outside the signed element', () => {
    expect(
      codeOf(document.replace('</configuration>\n', '</configuration>\n\n  <!-- hello -->\n')),
    ).toBeUndefined();
  });

  it('refuses an unsigned document', () => {
    const { configurationText } = parseConfigurationDocument(document);
    expect(codeOf(renderOverlayDocument([{ configurationText }]))).toBe('BAD_SIGNATURE');
  });

  it('refuses a signer certified by another CA', () => {
    expect(codeOf(signConfiguration(config, strangerA.signer))).toBe('UNTRUSTED_SIGNER');
  });

  it('refuses a signer whose certificate is not valid now', async () => {
    const lapsed = await issueTestSigner(authority, NODE_A, {
      notBefore: new Date(NOW.getTime() - 10 * DAY_MS),
      validityMs: DAY_MS,
    });
    expect(codeOf(signConfiguration(config, lapsed.signer))).toBe('UNTRUSTED_SIGNER');
  });

  it('refuses a signer that is not a configuration-signer of the document', () => {
    const listed = { ...config, kindSigners: [NODE_A, NODE_B] };
    expect(codeOf(signConfiguration(listed, signerB.signer))).toBe('UNTRUSTED_SIGNER');
  });

  it('refuses a first configuration signed by an enrolled node that lists itself (regression: any node could)', async () => {
    const mallory = await issueTestSigner(authority, NODE_B, { userName: `mallory@${OVERLAY}` });
    const forged = signConfiguration(
      { ...config, configurationSigners: [NODE_B], kindSigners: [NODE_B] },
      mallory.signer,
    );
    expect(codeOf(forged)).toBe('UNTRUSTED_SIGNER');
  });

  it('takes the configuration-signers from the previous configuration when there is one', () => {
    const next = { ...config, sequence: 2 };
    const byB = signConfiguration(
      { ...next, kindSigners: [NODE_B], configurationSigners: [NODE_B] },
      signerB.signer,
    );
    expect(codeOf(byB)).toBeUndefined();
    expect(codeOf(byB, { previous: config })).toBe('UNTRUSTED_SIGNER');
    // A listed signer may hand over to another one.
    const handover = signConfiguration({ ...next, configurationSigners: [NODE_B] }, signerA.signer);
    expect(codeOf(handover, { previous: config })).toBeUndefined();
  });

  it('refuses a signer the new document lists as bad-node', () => {
    const previous = { ...config, configurationSigners: [NODE_A, NODE_B] };
    const revoking = { ...config, sequence: 2, kinds: [], kindSigners: [], badNodes: [NODE_B] };
    expect(codeOf(signConfiguration(revoking, signerB.signer), { previous })).toBe('UNTRUSTED_SIGNER');
    expect(codeOf(signConfiguration(revoking, signerA.signer), { previous })).toBeUndefined();
  });

  it('accepts only a sequence newer than the previous one, modulo 65535', () => {
    const at = (sequence: number): string => signConfiguration({ ...config, sequence }, signerA.signer);
    const previous = (sequence: number): OverlayConfiguration => ({ ...config, sequence });
    expect(codeOf(at(6), { previous: previous(5) })).toBeUndefined();
    expect(codeOf(at(5), { previous: previous(5) })).toBe('SEQUENCE_NOT_NEWER');
    expect(codeOf(at(4), { previous: previous(5) })).toBe('SEQUENCE_NOT_NEWER');
    expect(codeOf(at(0), { previous: previous(65534) })).toBeUndefined();
    expect(codeOf(at(65534), { previous: previous(0) })).toBe('SEQUENCE_NOT_NEWER');
    expect(codeOf(at(40000), { previous: previous(0) })).toBe('SEQUENCE_NOT_NEWER');
  });

  it('refuses an expired document', () => {
    expect(codeOf(document, { now: config.expiration })).toBe('EXPIRED');
    expect(codeOf(document, { now: new Date(config.expiration.getTime() - 1000) })).toBeUndefined();
  });

  it('refuses a document for another overlay', () => {
    expect(codeOf(document, { expectedOverlay: 'other.test' })).toBe('WRONG_OVERLAY');
    expect(codeOf(document, { expectedOverlay: 'P2PSIP.Test' })).toBeUndefined();
  });

  it('refuses a kind whose text changed, even under a valid configuration signature', () => {
    const tampered = resigned((text) =>
      text.replace('<max-count>32</max-count>', '<max-count>33</max-count>'),
    );
    expect(codeOf(tampered)).toBe('BAD_KIND_SIGNATURE');
  });

  it('refuses a kind without signature, or signed by a node that is no kind-signer', () => {
    expect(codeOf(resigned((text) => text.replace(/\n\s*<kind-signature>[^<]*<\/kind-signature>/, '')))).toBe(
      'BAD_KIND_SIGNATURE',
    );
    const [kind] = parseConfigurationDocument(document).kinds;
    const byB = encodeSecurityBlock(signBytes(Buffer.from(kind.text), signerB.signer)).toString('base64');
    const swapped = resigned((text) => text.replace(/<kind-signature>[^<]*</, `<kind-signature>${byB}<`));
    expect(codeOf(swapped)).toBe('BAD_KIND_SIGNATURE');
  });

  it('reports unreadable documents as document errors', () => {
    expect(codeOf('<overlay')).toBe('MALFORMED_XML');
  });

  it('verifies RSA PKCS#1 v1.5 signatures, the mandatory algorithm', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicKey = await webcrypto.subtle.importKey(
      'spki',
      rsa.publicKey.export({ type: 'spki', format: 'der' }),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      true,
      ['verify'],
    );
    const nodeId = nodeIdFromHex('a1b2c3d4e5f60718293a4b5c6d7e8f90');
    const certificate = await issueNodeCertificate({
      authority,
      publicKey,
      overlay: OVERLAY,
      nodeIds: [nodeId],
      userName: `config-signer@${OVERLAY}`,
      notBefore: new Date(NOW.getTime() - DAY_MS),
    });
    const signer = {
      certificateDer: certificate.der,
      privateKeyPem: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    const byRsa = { ...config, kindSigners: [nodeId], configurationSigners: [nodeId] };
    const signed = signConfiguration(byRsa, signer);
    expect(parseConfigurationDocument(signed).signature?.signature.algorithm).toEqual({
      hash: 4,
      signature: 1,
    });
    expect(verifyConfigurationDocument(signed, options)).toEqual(byRsa);
  });
});
