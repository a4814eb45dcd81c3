import { InvalidCertificateError, InvalidCsrError, InvalidReloadUriError } from '../errors';
import { idToHex, nodeIdFromHex } from '../ring-id';
import { createCertificateAuthority, issueServerCertificate, randomSerialNumber } from './authority';
import { issueNodeCertificate, issueNodeCertificateDer } from './node-certificate';
import { createRevocationList, revokedSerials } from './revocation-list';
import { isIssuedBy, nodeIdsInOverlay, parseCertificate, parseCertificateBundle } from './certificate';
import { createCsr, describePublicKey, parseCsr, verifyCsr } from './csr';
import { exportPrivateKeyPem, generateKeyPair, importPrivateKeyPem } from './keys';
import { subtle, x509 } from './provider';
import { formatReloadUri, parseReloadUri } from './reload-uri';

const overlay = 'p2psip.test';
const nodeA = nodeIdFromHex('0c51a942f50c828aef82a5af83e8ed59');
const nodeB = nodeIdFromHex('6c1cfd6d5d9e35557d66a1b05f9e2247');

describe('identity — reload:// URIs', () => {
  it('writes the bare 32-hex form and reads it back', () => {
    const uri = formatReloadUri(nodeA, overlay);
    expect(uri).toBe('reload://0c51a942f50c828aef82a5af83e8ed59@p2psip.test/');
    expect(parseReloadUri(uri)).toEqual({ nodeId: nodeA, overlay });
  });

  it("also reads RFC 6940's destination-list form (01 10 <id>)", () => {
    expect(parseReloadUri(`reload://0110${idToHex(nodeA)}@P2PSIP.test/`)).toEqual({ nodeId: nodeA, overlay });
  });

  it('refuses other shapes', () => {
    for (const bad of [
      'reload://0c51@p2psip.test/',
      'http://0c51a942f50c828aef82a5af83e8ed59@p2psip.test/',
      'reload://0c51a942f50c828aef82a5af83e8ed59@p2psip.test',
      `reload://${'0'.repeat(32)}@p2psip.test/`,
      'reload://0c51a942f50c828aef82a5af83e8ed59@bad_name!/',
    ]) {
      expect(() => parseReloadUri(bad)).toThrow(InvalidReloadUriError);
    }
  });
});

describe('identity — X.509 keys, CSRs and certificates', () => {
  it('issues a node certificate with an empty subject, one URI per Node-ID and the user name', async () => {
    const authority = await createCertificateAuthority({ overlay });
    const keys = await generateKeyPair();
    const csr = await parseCsr((await createCsr(keys, { userName: 'ignored@p2psip.test' })).der);
    const cert = await issueNodeCertificate({
      authority,
      publicKey: csr.publicKey,
      overlay,
      nodeIds: [nodeA, nodeB],
      userName: 'alice@dht.example.com',
    });

    expect(cert.subject).toBe('');
    expect(cert.nodeIds).toEqual([nodeA, nodeB]);
    expect(cert.userName).toBe('alice@dht.example.com');
    expect(cert.isCa).toBe(false);
    expect(authority.certificate.isCa).toBe(true);
    expect(nodeIdsInOverlay(cert, 'other.test')).toEqual([]);
    expect(await isIssuedBy(cert, authority.certificate)).toBe(true);
  });

  it('reads the same certificate from PEM and DER, and from a bundle', async () => {
    const authority = await createCertificateAuthority({ overlay });
    const fromPem = parseCertificate(authority.certificate.pem);
    expect(fromPem.fingerprint).toBe(authority.certificate.fingerprint);
    expect(parseCertificateBundle(authority.certificate.pem + authority.certificate.pem)).toHaveLength(2);
  });

  it('shares one parsed certificate between every holder, and keeps no view of the input bytes', async () => {
    const authority = await createCertificateAuthority({ overlay });
    // The DER inside a larger received buffer, as a certificate arrives in a message or a frame.
    const frame = Buffer.concat([Buffer.alloc(100, 7), authority.certificate.der, Buffer.alloc(100, 9)]);
    const inFrame = frame.subarray(100, 100 + authority.certificate.der.length);
    const fromFrame = parseCertificate(inFrame);
    expect(parseCertificate(authority.certificate.pem)).toBe(fromFrame);
    expect(parseCertificate(Buffer.from(authority.certificate.der))).toBe(fromFrame);
    expect(fromFrame.der.buffer).not.toBe(frame.buffer);
    expect(fromFrame.der.byteLength).toBe(fromFrame.der.buffer.byteLength);
    frame.fill(0);
    expect(fromFrame.der.equals(authority.certificate.der)).toBe(true);
  });

  it('does not accept a certificate as issued by another CA, or outside its validity', async () => {
    const authority = await createCertificateAuthority({ overlay });
    const stranger = await createCertificateAuthority({ overlay });
    const keys = await generateKeyPair();
    const cert = await issueNodeCertificate({
      authority,
      publicKey: keys.publicKey,
      overlay,
      nodeIds: [nodeA],
      userName: 'alice@dht.example.com',
    });
    expect(await isIssuedBy(cert, stranger.certificate)).toBe(false);
    expect(await isIssuedBy(cert, authority.certificate, new Date(cert.notAfter.getTime() + 1000))).toBe(
      false,
    );
  });

  it('refuses garbage as a certificate', () => {
    expect(() => parseCertificate(Buffer.from('not a certificate'))).toThrow(InvalidCertificateError);
    expect(() => parseCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toThrow(
      InvalidCertificateError,
    );
  });

  it('reads the requested user name and key of a CSR', async () => {
    const keys = await generateKeyPair();
    const csr = await parseCsr((await createCsr(keys, { userName: 'bob@dht.example.com' })).pem);
    expect(csr.requestedUserName).toBe('bob@dht.example.com');
    expect(csr.key).toEqual({ algorithm: 'ECDSA', namedCurve: 'P-256' });
  });

  it('describes RSA keys with their modulus length', async () => {
    const rsa = await subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    );
    const request = await x509.Pkcs10CertificateRequestGenerator.create({
      name: '',
      keys: rsa,
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    });
    const csr = await parseCsr(Buffer.from(request.rawData));
    expect(csr.key).toEqual({ algorithm: 'RSA', modulusLength: 1024 });
  });

  it('refuses a CSR whose signature does not match, and garbage', async () => {
    const der = (await createCsr(await generateKeyPair())).der;
    const tampered = Buffer.from(der);
    tampered[tampered.length - 5] ^= 0xff;
    await expect(parseCsr(tampered)).rejects.toThrow(InvalidCsrError);
    await expect(parseCsr(Buffer.from('garbage'))).rejects.toThrow(InvalidCsrError);
    await expect(parseCsr(der.subarray(0, der.length - 20))).rejects.toThrow(InvalidCsrError);
    for (const bad of [tampered, Buffer.from('garbage'), der.subarray(0, der.length - 20)])
      await expect(verifyCsr(bad)).rejects.toThrow(InvalidCsrError);
  });

  it("verifyCsr returns the CSR's key as the exact SubjectPublicKeyInfo bytes, described", async () => {
    const keys = await generateKeyPair();
    const csr = await verifyCsr((await createCsr(keys)).der);
    expect(csr.publicKeySpki).toEqual(Buffer.from(await subtle.exportKey('spki', keys.publicKey)));
    expect(csr.key).toEqual({ algorithm: 'ECDSA', namedCurve: 'P-256' });
    expect(describePublicKey(new x509.PublicKey(csr.publicKeySpki))).toEqual(csr.key);
  });

  it('refuses a CSR whose P-256 point is not on the curve', async () => {
    const der = (await createCsr(await generateKeyPair())).der;
    const spkiAt = der.indexOf(Buffer.from('3059301306072a8648ce3d0201', 'hex'));
    const offCurve = Buffer.from(der);
    offCurve[spkiAt + 90] ^= 0x01; // the last octet of Y
    await expect(verifyCsr(offCurve)).rejects.toThrow('the CSR public key cannot be read');
  });

  it('checks CSRs signed with algorithms Node does not verify natively through the X.509 library', async () => {
    const keys = await subtle.generateKey(
      { name: 'RSA-PSS', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    );
    const request = await x509.Pkcs10CertificateRequestGenerator.create({
      name: '',
      keys,
      signingAlgorithm: { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 },
    });
    const der = Buffer.from(request.rawData);
    expect((await verifyCsr(der)).key).toEqual({ algorithm: 'RSA', modulusLength: 1024 });
    const tampered = Buffer.from(der);
    tampered[tampered.length - 5] ^= 0xff;
    await expect(verifyCsr(tampered)).rejects.toThrow(InvalidCsrError);
  });

  it('round-trips private keys through PEM and signs with them', async () => {
    const keys = await generateKeyPair();
    const imported = await importPrivateKeyPem(await exportPrivateKeyPem(keys.privateKey));
    const data = Buffer.from('overlay');
    const signature = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, imported, data);
    expect(await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, keys.publicKey, signature, data)).toBe(
      true,
    );
  });
});

describe('identity — revocation lists and server certificates', () => {
  it('lists revoked serials in a CRL signed by the CA', async () => {
    const authority = await createCertificateAuthority({ overlay });
    const der = await createRevocationList({
      authority,
      crlNumber: 7,
      entries: [
        { serialNumber: '4a0b', revokedAt: new Date('2026-01-01T00:00:00Z') },
        { serialNumber: '7f00ff', revokedAt: new Date() },
      ],
    });
    expect(revokedSerials(der)).toEqual(['4a0b', '7f00ff']);
    const crl = new x509.X509Crl(der);
    expect(await crl.verify({ publicKey: authority.certificate.x509.publicKey })).toBe(true);
    expect(crl.issuer).toBe(authority.certificate.subject);
  });

  it('issues a TLS server certificate for host names and addresses', async () => {
    const authority = await createCertificateAuthority({ overlay });
    const keys = await generateKeyPair();
    const cert = await issueServerCertificate({
      authority,
      publicKey: keys.publicKey,
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    });
    const san = cert.x509.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON();
    expect(san).toEqual([
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
    ]);
    expect(await isIssuedBy(cert, authority.certificate)).toBe(true);
  });
});

describe('identity — serial numbers', () => {
  it('draws positive serials of exactly 36 hex digits, never the 32 of a Node-ID', async () => {
    for (let i = 0; i < 200; i++) expect(randomSerialNumber()).toMatch(/^[4-7][0-9a-f]{35}$/);
  });
});

describe('identity — issuing on the CA hot path', () => {
  it('returns the same facts as a parse of the certificate it issued', async () => {
    const authority = await createCertificateAuthority({ overlay });
    const keys = await generateKeyPair();
    const init = {
      authority,
      publicKey: keys.publicKey,
      overlay,
      nodeIds: [nodeA],
      userName: 'alice@dht.example.com',
      notBefore: new Date(1_700_000_000_123),
    };
    const issued = await issueNodeCertificateDer(init);
    const parsed = parseCertificate(issued.der);
    expect(issued.serialNumber).toBe(parsed.serialNumber);
    expect(issued.notBefore).toEqual(parsed.notBefore);
    expect(issued.notAfter).toEqual(parsed.notAfter);
    expect(await isIssuedBy(parsed, authority.certificate, new Date(1_700_000_001_000))).toBe(true);
  });
});
