import { type NodeId, type ReloadCertificate, nodeIdsInOverlay, parseCertificate } from '@p2psip/identity';
import { ConfigurationVerificationError, type ConfigurationVerificationErrorCode } from './errors';
import type { OverlayConfiguration } from './model';
import { type ParsedConfigurationDocument, findInstance, mapEntry, readOverlayDocument } from './parse';
import type { SecurityBlock } from './security-block';
import { isNewerSequence } from './sequence';
import { findSignerCertificate, isCertifiedBy, verifyBytes } from './signing';

export interface VerifyConfigurationOptions {
  /** The CA certificate the node was provisioned with; every signer must be issued by it. */
  readonly trustedCa: ReloadCertificate;
  /** The overlay the node belongs to; the document's configuration for it is the one checked. */
  readonly expectedOverlay: string;
  /** The configuration in force: its configuration-signers decide who may sign the new one. */
  readonly previous?: OverlayConfiguration;
  /** @default new Date() */
  readonly now?: Date;
}

interface Trust {
  readonly trustedCa: ReloadCertificate;
  readonly overlay: string;
  readonly now: Date;
}

interface SignerPolicy {
  /** What is signed, for messages. */
  readonly what: string;
  /** Node-IDs allowed to sign it, and the name of that list in the document. */
  readonly signers: readonly NodeId[];
  readonly listName: string;
  readonly badNodes: readonly NodeId[];
  readonly signatureCode: ConfigurationVerificationErrorCode;
  readonly signerCode: ConfigurationVerificationErrorCode;
  /** The user name the signer's certificate must carry (first configuration only). */
  readonly requiredUserName?: string;
}

/**
 * Everything a node checks before adopting a configuration document (RFC 6940 §11.1, §7.4.3):
 * the signature over the exact `<configuration>` text, a signer issued by the node's CA and listed
 * as configuration-signer (in `previous` when given, else in the document itself: trust on first
 * use of a document whose signer the CA vouches for), the overlay, expiry, a newer sequence, and
 * every kind signed by a kind-signer the configuration lists. Throws ConfigurationDocumentError
 * for unreadable documents and ConfigurationVerificationError for refused ones.
 */
export function verifyConfigurationDocument(
  xml: string | Uint8Array,
  options: VerifyConfigurationOptions,
): OverlayConfiguration {
  const trust: Trust = {
    trustedCa: options.trustedCa,
    overlay: options.expectedOverlay,
    now: options.now ?? new Date(),
  };
  const parsed = readForOverlay(xml, options.expectedOverlay);
  const { configuration } = parsed;
  const authority = options.previous ?? configuration;
  authenticate(parsed.configurationText, parsed.signature, trust, {
    what: 'configuration',
    signers: authority.configurationSigners,
    listName: 'configuration-signer',
    badNodes: [...authority.badNodes, ...configuration.badNodes],
    signatureCode: 'BAD_SIGNATURE',
    signerCode: 'UNTRUSTED_SIGNER',
    ...(options.previous ? {} : { requiredUserName: configurationSignerUserName(options.expectedOverlay) }),
  });
  checkFreshness(configuration, options.previous, trust.now);
  for (const kind of parsed.kinds) {
    authenticate(kind.text, kind.signature, trust, {
      what: `kind ${kind.kindId}`,
      signers: configuration.kindSigners,
      listName: 'kind-signer',
      badNodes: configuration.badNodes,
      signatureCode: 'BAD_KIND_SIGNATURE',
      signerCode: 'BAD_KIND_SIGNATURE',
    });
  }
  return configuration;
}

function readForOverlay(xml: string | Uint8Array, overlay: string): ParsedConfigurationDocument {
  const document = readOverlayDocument(xml);
  const entry = findInstance(document, overlay);
  if (!entry) {
    const found = document.entries.map((candidate) => candidate.instanceName ?? '?').join(', ');
    throw new ConfigurationVerificationError(
      'WRONG_OVERLAY',
      `no configuration for ${overlay} (found: ${found})`,
    );
  }
  return mapEntry(document, entry);
}

/** Throws unless `block` is a valid signature over `text` by a certified, listed signer. */
/** The user name the CA gives its configuration signer; no one else may enroll under it. */
export function configurationSignerUserName(overlay: string): string {
  return `config-signer@${overlay.toLowerCase()}`;
}

function authenticate(
  text: string,
  block: SecurityBlock | undefined,
  trust: Trust,
  policy: SignerPolicy,
): void {
  const der = checkSignature(text, block, policy);
  let certificate: ReloadCertificate;
  try {
    certificate = parseCertificate(der);
  } catch (cause) {
    throw refusal(
      policy,
      policy.signerCode,
      'is signed with a certificate that is not an overlay certificate',
      cause,
    );
  }
  if (!isCertifiedBy(certificate, trust.trustedCa, trust.now)) {
    throw refusal(policy, policy.signerCode, 'signer is not certified by the trusted CA (or not valid now)');
  }
  const nodeIds = nodeIdsInOverlay(certificate, trust.overlay);
  if (nodeIds.some((id) => policy.badNodes.includes(id))) {
    throw refusal(policy, policy.signerCode, 'signer is a bad-node');
  }
  if (!nodeIds.some((id) => policy.signers.includes(id))) {
    throw refusal(policy, policy.signerCode, `signer holds no Node-ID listed as ${policy.listName}`);
  }
  // Without a previous configuration the signer list comes from the document itself, so any
  // enrolled node could list itself. The CA reserves this user name for its signer (ADR 0002).
  if (policy.requiredUserName !== undefined && certificate.userName !== policy.requiredUserName) {
    throw refusal(
      policy,
      policy.signerCode,
      `must, as the first configuration, be signed by ${policy.requiredUserName}`,
    );
  }
}

/** The signer's certificate, once the signature over the exact text verifies with it. */
function checkSignature(text: string, block: SecurityBlock | undefined, policy: SignerPolicy): Uint8Array {
  if (!block) throw refusal(policy, policy.signatureCode, 'is not signed');
  const der = findSignerCertificate(block);
  if (!der) {
    throw refusal(
      policy,
      policy.signatureCode,
      'signature names no SHA-256 cert_hash of a certificate it carries',
    );
  }
  if (!verifyBytes(Buffer.from(text, 'utf8'), block, der)) {
    throw refusal(policy, policy.signatureCode, 'signature does not verify');
  }
  return der;
}

function refusal(
  policy: SignerPolicy,
  code: ConfigurationVerificationErrorCode,
  reason: string,
  cause?: unknown,
): ConfigurationVerificationError {
  return new ConfigurationVerificationError(code, `the ${policy.what} ${reason}`, { cause });
}

function checkFreshness(
  configuration: OverlayConfiguration,
  previous: OverlayConfiguration | undefined,
  now: Date,
): void {
  if (configuration.expiration.getTime() <= now.getTime()) {
    throw new ConfigurationVerificationError(
      'EXPIRED',
      `the configuration expired at ${configuration.expiration.toISOString()}`,
    );
  }
  if (previous && !isNewerSequence(configuration.sequence, previous.sequence)) {
    throw new ConfigurationVerificationError(
      'SEQUENCE_NOT_NEWER',
      `sequence ${configuration.sequence} is not newer than ${previous.sequence}`,
    );
  }
}
