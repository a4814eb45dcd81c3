import { X509Certificate } from 'node:crypto';
import { type NodeId, isReservedNodeId, isWildcardNodeId, nodeIdFromBigInt } from '@p2psip/identity';
import { type ConfigurationProblem, InvalidConfigurationError } from './errors';
import {
  type KindDefinition,
  MAX_REDIR_BRANCHING_FACTOR,
  MIN_REDIR_BRANCHING_FACTOR,
  type OverlayConfiguration,
  registeredKindById,
} from './model';
import { isValidSequence } from './sequence';
import { hasOnlyXmlChars } from './xml';

const UINT8_MAX = 0xff;
const UINT32_MAX = 0xffffffff;
const PORT_MAX = 65535;
/** RFC 6940 §10.7 floor for the end-to-end retransmission timer. */
const MIN_RELIABILITY_TIMER_MS = 200;
const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const TOKEN = /^[A-Za-z0-9._+-]{1,32}$/;
const URI_SCHEME = /^[a-z][a-z0-9+.-]*:\S+$/i;

type Report = (field: string, message: string) => void;

/**
 * Checks every rule the document format and this platform impose, and throws one
 * InvalidConfigurationError listing all problems found. Returns the configuration unchanged.
 */
export function validateConfiguration(config: OverlayConfiguration): OverlayConfiguration {
  const problems: ConfigurationProblem[] = [];
  const report: Report = (field, message) => problems.push({ field, message });
  checkIdentity(config, report);
  checkTrust(config, report);
  checkTopology(config, report);
  checkBootstrap(config, report);
  checkKinds(config, report);
  checkExtensions(config, report);
  if (problems.length > 0) throw new InvalidConfigurationError(problems);
  return config;
}

export function isDnsName(name: string): boolean {
  return name.length <= 253 && name.split('.').every((label) => DNS_LABEL.test(label));
}

export function isHostAddress(address: string): boolean {
  return IPV4.test(address) || isIpv6(address) || isDnsName(address);
}

function checkIdentity(config: OverlayConfiguration, report: Report): void {
  if (!isDnsName(config.instanceName)) report('instanceName', 'must be a DNS name');
  if (!isValidSequence(config.sequence)) report('sequence', 'must be an integer in 0..65534');
  const time = config.expiration instanceof Date ? config.expiration.getTime() : NaN;
  // toISOString() writes years past 9999 with a sign and six digits, which RFC 3339 cannot hold.
  if (!Number.isFinite(time) || !/^\d{4}-/.test(new Date(time).toISOString())) {
    report('expiration', 'must be a valid date in years 0000..9999');
  }
}

function checkTrust(config: OverlayConfiguration, report: Report): void {
  if (config.rootCerts.length === 0)
    report('rootCerts', 'at least one is needed (self-signed mode is not used)');
  config.rootCerts.forEach((der, index) => {
    if (!isCaCertificate(der)) report(`rootCerts[${index}]`, 'must be a DER X.509 CA certificate');
  });
  config.enrollmentServers.forEach((url, index) => {
    if (!isHttpsUrl(url)) report(`enrollmentServers[${index}]`, 'must be an https URL');
  });
  if (config.selfSignedPermitted !== false)
    report('selfSignedPermitted', 'self-signed mode is not supported');
  if (config.configurationSigners.length === 0) report('configurationSigners', 'at least one is needed');
  if (config.kinds.length > 0 && config.kindSigners.length === 0) {
    report('kindSigners', 'at least one is needed to sign the kinds');
  }
  checkNodeIds('kindSigners', config.kindSigners, report);
  checkNodeIds('configurationSigners', config.configurationSigners, report);
  checkNodeIds('badNodes', config.badNodes, report);
  const bad = new Set<bigint>(config.badNodes);
  if ([...config.kindSigners, ...config.configurationSigners].some((id) => bad.has(id))) {
    report('badNodes', 'a bad node cannot be a signer');
  }
}

function checkTopology(config: OverlayConfiguration, report: Report): void {
  if (config.topologyPlugin !== 'CHORD-RELOAD') report('topologyPlugin', 'only CHORD-RELOAD is supported');
  if (config.nodeIdLength !== 16) report('nodeIdLength', 'only 16-byte Node-IDs are supported');
  checkInteger('turnDensity', config.turnDensity, 0, UINT8_MAX, report);
  checkInteger('chordUpdateIntervalS', config.chordUpdateIntervalS, 1, UINT32_MAX, report);
  checkInteger('chordPingIntervalS', config.chordPingIntervalS, 1, UINT32_MAX, report);
  checkInteger('maxMessageSize', config.maxMessageSize, 1, UINT32_MAX, report);
  checkInteger('initialTtl', config.initialTtl, 1, UINT8_MAX, report);
  checkInteger(
    'overlayReliabilityTimerMs',
    config.overlayReliabilityTimerMs,
    MIN_RELIABILITY_TIMER_MS,
    UINT32_MAX,
    report,
  );
  if (config.overlayLinkProtocols.length === 0) report('overlayLinkProtocols', 'at least one is needed');
  config.overlayLinkProtocols.forEach((protocol, index) => {
    if (!TOKEN.test(protocol))
      report(`overlayLinkProtocols[${index}]`, 'must be a protocol token such as TLS');
  });
}

function checkBootstrap(config: OverlayConfiguration, report: Report): void {
  config.bootstrapNodes.forEach((node, index) => {
    if (!isHostAddress(node.address))
      report(`bootstrapNodes[${index}].address`, 'must be an IP address or DNS name');
    checkInteger(`bootstrapNodes[${index}].port`, node.port, 1, PORT_MAX, report);
  });
}

function checkKinds(config: OverlayConfiguration, report: Report): void {
  const seen = new Set<number>();
  config.kinds.forEach((kind, index) => {
    if (seen.has(kind.id)) report(`kinds[${index}].id`, `kind ${kind.id} is defined twice`);
    seen.add(kind.id);
    checkKind(kind, `kinds[${index}]`, report);
  });
}

function checkKind(kind: KindDefinition, field: string, report: Report): void {
  checkInteger(`${field}.id`, kind.id, 1, UINT32_MAX, report);
  checkInteger(`${field}.maxCount`, kind.maxCount, 1, UINT32_MAX, report);
  checkInteger(`${field}.maxSize`, kind.maxSize, 1, UINT32_MAX, report);
  if (kind.dataModel === 'SINGLE' && kind.maxCount !== 1) report(`${field}.maxCount`, 'must be 1 for SINGLE');
  const dictionaryOnly = kind.accessControl === 'USER-NODE-MATCH' || kind.accessControl === 'NODE-ID-MATCH';
  if (dictionaryOnly && kind.dataModel !== 'DICTIONARY') {
    report(`${field}.dataModel`, `${kind.accessControl} needs the DICTIONARY data model`);
  }
  if (kind.accessControl === 'NODE-MULTIPLE') {
    checkInteger(`${field}.maxNodeMultiple`, kind.maxNodeMultiple, 1, UINT32_MAX, report);
  } else if (kind.maxNodeMultiple !== undefined) {
    report(`${field}.maxNodeMultiple`, 'only NODE-MULTIPLE kinds have one');
  }
  checkRegistered(kind, field, report);
}

// The IANA registration of a kind wins over a document (RFC 6940 §11.1); disagreeing is an error
// here rather than a silent override, so that operators see it.
function checkRegistered(kind: KindDefinition, field: string, report: Report): void {
  const registered = registeredKindById(kind.id);
  if (kind.name !== undefined && kind.name !== registered?.name) {
    report(`${field}.name`, `"${kind.name}" is not the registered name of kind ${kind.id}`);
  }
  if (!registered) return;
  if (kind.dataModel !== registered.dataModel || kind.accessControl !== registered.accessControl) {
    report(field, `${registered.name} is ${registered.dataModel} with ${registered.accessControl}`);
  }
}

function checkExtensions(config: OverlayConfiguration, report: Report): void {
  config.mandatoryExtensions.forEach((uri, index) => {
    if (!URI_SCHEME.test(uri) || !hasOnlyXmlChars(uri))
      report(`mandatoryExtensions[${index}]`, 'must be a URI');
  });
  config.allowedDomains.forEach((domain, index) => {
    if (!isDnsName(domain)) report(`allowedDomains[${index}]`, 'must be a DNS name');
  });
  checkInteger('maxNodeIdsPerUser', config.maxNodeIdsPerUser, 1, UINT32_MAX, report);
  checkInteger(
    'redirBranchingFactor',
    config.redirBranchingFactor,
    MIN_REDIR_BRANCHING_FACTOR,
    MAX_REDIR_BRANCHING_FACTOR,
    report,
  );
  const limit = config.rateLimitPerIdentity;
  if (limit === undefined) return;
  if (!(Number.isFinite(limit.requestsPerSecond) && limit.requestsPerSecond > 0)) {
    report('rateLimitPerIdentity.requestsPerSecond', 'must be a positive number');
  }
  checkInteger('rateLimitPerIdentity.burst', limit.burst, 1, UINT32_MAX, report);
}

function checkInteger(
  field: string,
  value: number | undefined,
  min: number,
  max: number,
  report: Report,
): void {
  if (value === undefined || !Number.isInteger(value) || value < min || value > max) {
    report(field, `must be an integer in ${min}..${max}`);
  }
}

function checkNodeIds(field: string, ids: readonly NodeId[], report: Report): void {
  ids.forEach((id, index) => {
    try {
      nodeIdFromBigInt(id);
    } catch {
      report(`${field}[${index}]`, 'must be a 128-bit Node-ID');
      return;
    }
    if (isReservedNodeId(id) || isWildcardNodeId(id))
      report(`${field}[${index}]`, 'must not be all-0 or all-1');
  });
}

function isCaCertificate(der: Uint8Array): boolean {
  try {
    return new X509Certificate(der).ca;
  } catch {
    return false;
  }
}

function isHttpsUrl(url: string): boolean {
  if (!hasOnlyXmlChars(url) || /\s/.test(url)) return false;
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

function isIpv6(address: string): boolean {
  if (!address.includes(':') || !/^[0-9a-f:.]+$/i.test(address)) return false;
  try {
    new URL(`https://[${address}]/`);
    return true;
  } catch {
    return false;
  }
}
