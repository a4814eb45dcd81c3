import { InvalidConfigurationError } from './errors';
import {
  CONFIG_BASE_NAMESPACE as BASE,
  CONFIG_CHORD_NAMESPACE as CHORD,
  DEFAULT_BOOTSTRAP_PORT,
  type OverlayConfiguration,
  DEFAULT_REDIR_BRANCHING_FACTOR,
  MAX_REDIR_BRANCHING_FACTOR,
  MIN_REDIR_BRANCHING_FACTOR,
  P2PSIP_CONFIG_NAMESPACE as P2PSIP,
  REDIR_CONFIG_NAMESPACE as REDIR,
  SUPPORTED_NAMESPACES,
} from './model';
import { type MappedKind, readKindBlocks } from './parse-kinds';
import {
  ChildElements,
  documentError,
  leafText,
  parseInteger,
  parsePositiveNumber,
  parseRfc3339,
  readBase64,
  readBoolean,
  readInteger,
  readNodeId,
  requiredAttribute,
} from './parse-values';
import { MAX_SEQUENCE } from './sequence';
import { validateConfiguration } from './validate';
import type { XmlElement } from './xml';

const UINT8_MAX = 0xff;
const UINT32_MAX = 0xffffffff;

/** What an absent element means: RFC 6940 §11.1's defaults, and ours for the p2psip namespace. */
const ABSENT = {
  topologyPlugin: 'CHORD-RELOAD',
  nodeIdLength: 16,
  turnDensity: 1,
  clientsPermitted: true,
  noIce: false,
  chordUpdateIntervalS: 600,
  chordPingIntervalS: 3600,
  chordReactive: true,
  maxMessageSize: 5000,
  initialTtl: 100,
  overlayReliabilityTimerMs: 3000,
  overlayLinkProtocol: 'TLS',
  selfRegistration: false,
  maxNodeIdsPerUser: 8,
  redirBranchingFactor: DEFAULT_REDIR_BRANCHING_FACTOR,
} as const;

const CONFIGURATION_CHILDREN = new Map<string, readonly string[]>([
  [
    BASE,
    [
      'topology-plugin', 'node-id-length', 'root-cert', 'enrollment-server', 'self-signed-permitted',
      'bootstrap-node', 'turn-density', 'multicast-bootstrap', 'clients-permitted', 'no-ice',
      'shared-secret', 'max-message-size', 'initial-ttl', 'overlay-reliability-timer',
      'overlay-link-protocol', 'kind-signer', 'configuration-signer', 'bad-node',
      'mandatory-extension', 'required-kinds',
    ], // prettier-ignore
  ],
  [CHORD, ['chord-update-interval', 'chord-ping-interval', 'chord-reactive']],
  [P2PSIP, ['self-registration', 'allowed-domain', 'max-node-ids-per-user', 'rate-limit-per-identity']],
  [REDIR, ['branching-factor']],
]);

/** Reads a `<configuration>` element into the model; the result has passed validateConfiguration. */
export function mapConfiguration(element: XmlElement): {
  configuration: OverlayConfiguration;
  kinds: readonly MappedKind[];
} {
  const children = new ChildElements(element, CONFIGURATION_CHILDREN);
  // An extension we do not understand may change the meaning of everything else: check it first.
  const mandatoryExtensions = children.all(BASE, 'mandatory-extension').map(leafText);
  const unknown = mandatoryExtensions.find((uri) => !SUPPORTED_NAMESPACES.includes(uri));
  if (unknown !== undefined) {
    throw documentError(
      'UNSUPPORTED_EXTENSION',
      `mandatory extension ${unknown.slice(0, 200)} is not supported`,
    );
  }
  if (children.optional(BASE, 'shared-secret')) {
    throw documentError(
      'UNSUPPORTED_FEATURE',
      'shared-secret overlays are not supported (certificates only)',
    );
  }
  const kinds = children.all(BASE, 'required-kinds').flatMap(readKindBlocks);
  const configuration: OverlayConfiguration = {
    ...readHeader(element),
    ...readTrust(children),
    ...readTopology(children),
    ...readExtensions(children),
    mandatoryExtensions,
    kinds: kinds.map((kind) => kind.definition),
  };
  try {
    return { configuration: validateConfiguration(configuration), kinds };
  } catch (cause) {
    if (!(cause instanceof InvalidConfigurationError)) throw cause;
    throw documentError('INVALID_VALUE', cause.message, { cause });
  }
}

function readHeader(
  element: XmlElement,
): Pick<OverlayConfiguration, 'instanceName' | 'sequence' | 'expiration'> {
  return {
    instanceName: requiredAttribute(element, 'instance-name'),
    sequence: parseInteger(requiredAttribute(element, 'sequence'), 0, MAX_SEQUENCE, 'sequence attribute'),
    expiration: parseRfc3339(requiredAttribute(element, 'expiration'), 'expiration attribute'),
  };
}

type TrustFields =
  | 'rootCerts'
  | 'enrollmentServers'
  | 'selfSignedPermitted'
  | 'kindSigners'
  | 'configurationSigners'
  | 'badNodes';

function readTrust(children: ChildElements): Pick<OverlayConfiguration, TrustFields> {
  const selfSigned = children.optional(BASE, 'self-signed-permitted');
  if (selfSigned && readBoolean(selfSigned)) {
    throw documentError('UNSUPPORTED_FEATURE', 'self-signed certificates are not supported');
  }
  const rootCerts = children.all(BASE, 'root-cert').map(readBase64);
  if (rootCerts.length === 0) throw documentError('MISSING_ELEMENT', 'the configuration has no <root-cert>');
  const configurationSigners = children.all(BASE, 'configuration-signer').map(readNodeId);
  if (configurationSigners.length === 0) {
    throw documentError('MISSING_ELEMENT', 'the configuration has no <configuration-signer>');
  }
  return {
    rootCerts,
    enrollmentServers: children.all(BASE, 'enrollment-server').map(leafText),
    selfSignedPermitted: false,
    kindSigners: children.all(BASE, 'kind-signer').map(readNodeId),
    configurationSigners,
    badNodes: children.all(BASE, 'bad-node').map(readNodeId),
  };
}

type TopologyFields =
  | 'topologyPlugin'
  | 'nodeIdLength'
  | 'bootstrapNodes'
  | 'turnDensity'
  | 'clientsPermitted'
  | 'noIce'
  | 'chordUpdateIntervalS'
  | 'chordPingIntervalS'
  | 'chordReactive'
  | 'maxMessageSize'
  | 'initialTtl'
  | 'overlayReliabilityTimerMs'
  | 'overlayLinkProtocols';

function readTopology(children: ChildElements): Pick<OverlayConfiguration, TopologyFields> {
  const integer = (namespace: string, name: string, fallback: number, min: number, max: number): number => {
    const element = children.optional(namespace, name);
    return element ? readInteger(element, min, max) : fallback;
  };
  const flag = (namespace: string, name: string, fallback: boolean): boolean => {
    const element = children.optional(namespace, name);
    return element ? readBoolean(element) : fallback;
  };
  const protocols = children.all(BASE, 'overlay-link-protocol').map(leafText);
  return {
    topologyPlugin: readTopologyPlugin(children),
    nodeIdLength: readNodeIdLength(children),
    bootstrapNodes: children.all(BASE, 'bootstrap-node').map(readBootstrapNode),
    turnDensity: integer(BASE, 'turn-density', ABSENT.turnDensity, 0, UINT8_MAX),
    clientsPermitted: flag(BASE, 'clients-permitted', ABSENT.clientsPermitted),
    noIce: flag(BASE, 'no-ice', ABSENT.noIce),
    chordUpdateIntervalS: integer(CHORD, 'chord-update-interval', ABSENT.chordUpdateIntervalS, 0, UINT32_MAX),
    chordPingIntervalS: integer(CHORD, 'chord-ping-interval', ABSENT.chordPingIntervalS, 0, UINT32_MAX),
    chordReactive: flag(CHORD, 'chord-reactive', ABSENT.chordReactive),
    maxMessageSize: integer(BASE, 'max-message-size', ABSENT.maxMessageSize, 0, UINT32_MAX),
    initialTtl: integer(BASE, 'initial-ttl', ABSENT.initialTtl, 0, UINT8_MAX),
    overlayReliabilityTimerMs: integer(
      BASE,
      'overlay-reliability-timer',
      ABSENT.overlayReliabilityTimerMs,
      0,
      UINT32_MAX,
    ),
    overlayLinkProtocols: protocols.length > 0 ? protocols : [ABSENT.overlayLinkProtocol],
  };
}

function readTopologyPlugin(children: ChildElements): 'CHORD-RELOAD' {
  const element = children.optional(BASE, 'topology-plugin');
  const plugin = element ? leafText(element) : ABSENT.topologyPlugin;
  if (plugin !== 'CHORD-RELOAD') {
    throw documentError('UNSUPPORTED_FEATURE', `topology plug-in ${JSON.stringify(plugin.slice(0, 60))}`);
  }
  return plugin;
}

function readNodeIdLength(children: ChildElements): 16 {
  const element = children.optional(BASE, 'node-id-length');
  // RFC 6940 allows 16..20 bytes; CHORD-RELOAD here runs on 128-bit ids only.
  const length = element ? readInteger(element, 16, 20) : ABSENT.nodeIdLength;
  if (length !== 16)
    throw documentError('UNSUPPORTED_FEATURE', `node-id-length ${length} (only 16 is supported)`);
  return length;
}

function readBootstrapNode(element: XmlElement): { address: string; port: number } {
  const port = element.attributes.get('port');
  return {
    address: requiredAttribute(element, 'address'),
    port:
      port === undefined
        ? DEFAULT_BOOTSTRAP_PORT
        : parseInteger(port.trim(), 1, 65535, 'bootstrap-node port'),
  };
}

type ExtensionFields =
  | 'selfRegistration'
  | 'allowedDomains'
  | 'maxNodeIdsPerUser'
  | 'rateLimitPerIdentity'
  | 'redirBranchingFactor';

function readExtensions(children: ChildElements): Pick<OverlayConfiguration, ExtensionFields> {
  const selfRegistration = children.optional(P2PSIP, 'self-registration');
  const maxNodeIds = children.optional(P2PSIP, 'max-node-ids-per-user');
  const rateLimit = children.optional(P2PSIP, 'rate-limit-per-identity');
  const branchingFactor = children.optional(REDIR, 'branching-factor');
  return {
    selfRegistration: selfRegistration ? readBoolean(selfRegistration) : ABSENT.selfRegistration,
    allowedDomains: children.all(P2PSIP, 'allowed-domain').map(leafText),
    maxNodeIdsPerUser: maxNodeIds ? readInteger(maxNodeIds, 0, UINT32_MAX) : ABSENT.maxNodeIdsPerUser,
    redirBranchingFactor: branchingFactor
      ? readInteger(branchingFactor, MIN_REDIR_BRANCHING_FACTOR, MAX_REDIR_BRANCHING_FACTOR)
      : ABSENT.redirBranchingFactor,
    ...(rateLimit
      ? {
          rateLimitPerIdentity: {
            requestsPerSecond: parsePositiveNumber(
              requiredAttribute(rateLimit, 'requests-per-second'),
              'rate-limit-per-identity requests-per-second',
            ),
            burst: parseInteger(
              requiredAttribute(rateLimit, 'burst'),
              0,
              UINT32_MAX,
              'rate-limit-per-identity burst',
            ),
          },
        }
      : {}),
  };
}
