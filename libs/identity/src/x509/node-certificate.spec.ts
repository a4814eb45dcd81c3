import { X509Certificate as NodeX509Certificate, createPublicKey, type webcrypto } from 'node:crypto';
import { InvalidCertificateError } from '../errors';
import { type NodeId, nodeIdFromHex } from '../ring-id';
import { type CertificateAuthority, createCertificateAuthority } from './authority';
import { isIssuedBy, parseCertificate } from './certificate';
import { createCsr, verifyCsr } from './csr';
import { readDerElement } from './der';
import { ECDSA_P256, type KeyPair, generateKeyPair } from './keys';
import { issueNodeCertificateDer } from './node-certificate';
import { subtle, x509 } from './provider';
import { formatReloadUri } from './reload-uri';

const overlay = 'p2psip.test';
const nodeA = nodeIdFromHex('0c51a942f50c828aef82a5af83e8ed59');
const nodeB = nodeIdFromHex('6c1cfd6d5d9e35557d66a1b05f9e2247');
const nodeC = nodeIdFromHex('ffffffffffffffffffffffffffffff01');
const SERIAL = '5a0b1c2d3e4f5061728394a5b6c7d8e9f0a1';

interface Case {
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly validityMs: number;
  readonly nodeIds: readonly NodeId[];
  readonly userName: string;
}

/**
 * The builder this template replaced: @peculiar/x509's generator with the same inputs. The
 * template must write the same TBSCertificate, byte for byte (only the signature differs, ECDSA
 * signatures being randomised).
 */
async function libraryCertificate(authority: CertificateAuthority, publicKey: x509.PublicKey, c: Case) {
  const names = [
    ...c.nodeIds.map((nodeId) => ({ type: 'url' as const, value: formatReloadUri(nodeId, overlay) })),
    { type: 'email' as const, value: c.userName },
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: c.serialNumber,
    subject: '',
    issuer: authority.certificate.x509.subject,
    notBefore: c.notBefore,
    notAfter: new Date(c.notBefore.getTime() + c.validityMs),
    signingAlgorithm: ECDSA_P256,
    publicKey,
    signingKey: authority.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.clientAuth,
        x509.ExtendedKeyUsage.serverAuth,
      ]),
      new x509.SubjectAlternativeNameExtension(names, true),
      await x509.AuthorityKeyIdentifierExtension.create(authority.certificate.x509),
    ],
  });
  return Buffer.from(cert.rawData);
}

/** tbsCertificate, signatureAlgorithm, signatureValue: the three parts of a Certificate, as DER. */
function certificateParts(der: Buffer): [Buffer, Buffer, Buffer] {
  const outer = readDerElement(der);
  expect(outer.end).toBe(der.length);
  const tbs = readDerElement(der, outer.contentStart, outer.end);
  const algorithm = readDerElement(der, tbs.end, outer.end);
  const signature = readDerElement(der, algorithm.end, outer.end);
  expect(signature.end).toBe(outer.end);
  const slice = (span: { start: number; end: number }) => der.subarray(span.start, span.end);
  return [slice(tbs), slice(algorithm), slice(signature)];
}

async function leafKey(): Promise<{ keys: KeyPair; spki: Buffer; publicKey: x509.PublicKey }> {
  const keys = await generateKeyPair();
  const csr = await verifyCsr((await createCsr(keys)).der);
  return { keys, spki: csr.publicKeySpki, publicKey: new x509.PublicKey(csr.publicKeySpki) };
}

const base: Case = {
  serialNumber: SERIAL,
  notBefore: new Date('2026-03-01T12:34:56.789Z'),
  validityMs: 365 * 24 * 60 * 60 * 1000,
  nodeIds: [nodeA],
  userName: 'alice@dht.example.com',
};

describe('identity — node certificates from the per-CA template', () => {
  let authority: CertificateAuthority;
  let leaf: Awaited<ReturnType<typeof leafKey>>;

  beforeAll(async () => {
    authority = await createCertificateAuthority({ overlay });
    leaf = await leafKey();
  });

  it.each<[string, Partial<Case>]>([
    ['one Node-ID', {}],
    ['three Node-IDs', { nodeIds: [nodeA, nodeB, nodeC] }],
    ['a serial with its top bit set and leading zeros', { serialNumber: '0000c0ffee' }],
    ['a validity ending after 2049 (GeneralizedTime)', { validityMs: 40 * 365 * 24 * 60 * 60 * 1000 }],
    ['a validity starting after 2049', { notBefore: new Date('2051-01-02T03:04:05Z') }],
    ['a long user name (multi-octet lengths)', { userName: `${'u'.repeat(300)}@dht.example.com` }],
  ])('writes the same TBSCertificate as the X.509 library for %s', async (_, change) => {
    const c = { ...base, ...change };
    const issued = await issueNodeCertificateDer({ authority, publicKey: leaf.spki, overlay, ...c });
    const reference = await libraryCertificate(authority, leaf.publicKey, c);
    const [tbs, algorithm] = certificateParts(issued.der);
    const [referenceTbs, referenceAlgorithm] = certificateParts(reference);
    expect(tbs.toString('hex')).toBe(referenceTbs.toString('hex'));
    expect(algorithm.toString('hex')).toBe(referenceAlgorithm.toString('hex'));
  });

  it('issues a certificate that both X.509 parsers read and that verifies against the CA', async () => {
    const issued = await issueNodeCertificateDer({
      authority,
      publicKey: leaf.spki,
      overlay,
      nodeIds: [nodeA, nodeB],
      userName: 'alice@dht.example.com',
      serialNumber: SERIAL,
      notBefore: base.notBefore,
      validityMs: base.validityMs,
    });
    expect(issued.serialNumber).toBe(SERIAL);
    expect(issued.notBefore).toEqual(new Date('2026-03-01T12:34:56Z'));
    expect(issued.notAfter).toEqual(new Date('2027-03-01T12:34:56Z'));

    const native = new NodeX509Certificate(issued.der);
    expect(native.verify(createPublicKey(authority.certificate.pem))).toBe(true);
    expect(native.checkIssued(new NodeX509Certificate(authority.certificate.der))).toBe(true);
    expect(native.subject).toBeUndefined();
    expect(native.serialNumber.toLowerCase()).toBe(SERIAL);
    expect(native.subjectAltName).toBe(
      `URI:${formatReloadUri(nodeA, overlay)}, URI:${formatReloadUri(nodeB, overlay)}, email:alice@dht.example.com`,
    );
    expect(native.publicKey.export({ format: 'der', type: 'spki' })).toEqual(leaf.spki);
    expect(new Date(native.validFrom)).toEqual(issued.notBefore);
    expect(new Date(native.validTo)).toEqual(issued.notAfter);
    expect(native.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.1']);

    const parsed = parseCertificate(issued.der);
    expect(parsed.subject).toBe('');
    expect(parsed.issuer).toBe(authority.certificate.subject);
    expect(parsed.nodeIds).toEqual([nodeA, nodeB]);
    expect(parsed.userName).toBe('alice@dht.example.com');
    expect(parsed.isCa).toBe(false);
    expect(parsed.serialNumber).toBe(issued.serialNumber);
    expect(await isIssuedBy(parsed, authority.certificate, new Date('2026-06-01T00:00:00Z'))).toBe(true);
    const san = parsed.x509.getExtension(x509.SubjectAlternativeNameExtension);
    expect(san?.critical).toBe(true);
  });

  it('takes the key as a library public key or a WebCrypto key too, with the same result', async () => {
    const fromSpki = await issueNodeCertificateDer({ authority, publicKey: leaf.spki, overlay, ...base });
    for (const publicKey of [leaf.publicKey, leaf.keys.publicKey]) {
      const issued = await issueNodeCertificateDer({ authority, publicKey, overlay, ...base });
      expect(certificateParts(issued.der)[0]).toEqual(certificateParts(fromSpki.der)[0]);
    }
  });

  it('draws a fresh 36-hex serial for every certificate by default', async () => {
    const serials = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const issued = await issueNodeCertificateDer({
        ...base,
        serialNumber: undefined,
        authority,
        publicKey: leaf.spki,
        overlay,
      });
      expect(issued.serialNumber).toMatch(/^[4-7][0-9a-f]{35}$/);
      expect(parseCertificate(issued.der).serialNumber).toBe(issued.serialNumber);
      serials.add(issued.serialNumber);
    }
    expect(serials.size).toBe(20);
  });

  it('refuses a user name that is not printable ASCII, a serial that is not positive hex, and a key that is not one DER element', async () => {
    const init = { authority, publicKey: leaf.spki, overlay, ...base };
    await expect(issueNodeCertificateDer({ ...init, userName: 'élan@dht.example.com' })).rejects.toThrow(
      InvalidCertificateError,
    );
    for (const serialNumber of ['00', 'xyz', '']) {
      await expect(issueNodeCertificateDer({ ...init, serialNumber })).rejects.toMatchObject({
        code: 'INVALID_CERTIFICATE',
      });
    }
    for (const publicKey of [Buffer.from('garbage'), Buffer.concat([leaf.spki, Buffer.from([0])])]) {
      await expect(issueNodeCertificateDer({ ...init, publicKey })).rejects.toMatchObject({
        code: 'INVALID_CERTIFICATE',
      });
    }
  });
});

describe('identity — node certificates signed by RSA and Ed25519 CAs', () => {
  it.each<[string, webcrypto.RsaHashedKeyGenParams | webcrypto.Algorithm]>([
    [
      'RSA',
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
    ],
    ['Ed25519', { name: 'Ed25519' }],
  ])('writes what the X.509 library writes for a %s CA, and the signature verifies', async (_, algorithm) => {
    const keys = (await subtle.generateKey(algorithm, true, ['sign', 'verify'])) as KeyPair;
    const authority = await createCertificateAuthority({ overlay, keys });
    const leaf = await leafKey();
    const issued = await issueNodeCertificateDer({ authority, publicKey: leaf.spki, overlay, ...base });
    const reference = await libraryCertificate(authority, leaf.publicKey, base);
    const [tbs, signatureAlgorithm] = certificateParts(issued.der);
    const [referenceTbs, referenceAlgorithm] = certificateParts(reference);
    expect(tbs.toString('hex')).toBe(referenceTbs.toString('hex'));
    expect(signatureAlgorithm.toString('hex')).toBe(referenceAlgorithm.toString('hex'));
    expect(new NodeX509Certificate(issued.der).verify(createPublicKey(authority.certificate.pem))).toBe(true);
  });
});
