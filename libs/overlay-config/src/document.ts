import { type NodeId, idToHex, nodeIdsInOverlay, parseCertificate } from '@p2psip/identity';
import { ConfigurationSigningError } from './errors';
import {
  CONFIG_BASE_NAMESPACE,
  CONFIG_CHORD_NAMESPACE,
  type KindDefinition,
  type OverlayConfiguration,
  P2PSIP_CONFIG_NAMESPACE,
  REDIR_CONFIG_NAMESPACE,
} from './model';
import { type SecurityBlock, encodeSecurityBlock } from './security-block';
import { type ConfigurationSigner, signBytes } from './signing';
import { validateConfiguration } from './validate';
import { escapeXml } from './xml';

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const NAMESPACE_DECLARATIONS =
  `xmlns="${CONFIG_BASE_NAMESPACE}" xmlns:chord="${CONFIG_CHORD_NAMESPACE}" ` +
  `xmlns:p2psip="${P2PSIP_CONFIG_NAMESPACE}" xmlns:redir="${REDIR_CONFIG_NAMESPACE}"`;
const INDENT = '  ';

/** Signs the exact text of one `<kind>` element; undefined leaves the kind unsigned. */
type KindSigner = (kindText: string) => SecurityBlock | undefined;

/**
 * The `<configuration …>…</configuration>` element (RFC 6940 §11.1), unsigned kinds included.
 * The element declares its own namespaces, so its text stands alone wherever it is carried.
 */
export function renderConfigurationXml(config: OverlayConfiguration): string {
  return renderConfiguration(validateConfiguration(config), () => undefined);
}

/**
 * The complete signed document: each kind signed over its `<kind>` text, then the configuration
 * signed over the exact text of its element, which appears unchanged in the result.
 */
export function signConfiguration(config: OverlayConfiguration, signer: ConfigurationSigner): string {
  validateConfiguration(config);
  checkKindSigner(config, signer);
  const configurationText = renderConfiguration(config, (kindText) => signText(kindText, signer));
  return renderOverlayDocument([{ configurationText, signature: signText(configurationText, signer) }]);
}

/** Wraps configuration elements (kept byte-for-byte) and their signatures into an `<overlay>` document. */
export function renderOverlayDocument(
  entries: readonly { readonly configurationText: string; readonly signature?: SecurityBlock }[],
): string {
  const body = entries.flatMap(({ configurationText, signature }) =>
    signature ? [configurationText, element('signature', base64(signature))] : [configurationText],
  );
  return [XML_DECLARATION, `<overlay ${NAMESPACE_DECLARATIONS}>`, ...body, '</overlay>', ''].join('\n');
}

function signText(text: string, signer: ConfigurationSigner): SecurityBlock {
  return signBytes(Buffer.from(text, 'utf8'), signer);
}

function checkKindSigner(config: OverlayConfiguration, signer: ConfigurationSigner): void {
  if (config.kinds.length === 0) return;
  let nodeIds: NodeId[];
  try {
    nodeIds = nodeIdsInOverlay(parseCertificate(signer.certificateDer), config.instanceName);
  } catch (cause) {
    throw new ConfigurationSigningError(
      'INVALID_SIGNER',
      'the signer certificate is not an overlay certificate',
      {
        cause,
      },
    );
  }
  if (!nodeIds.some((id) => config.kindSigners.includes(id))) {
    throw new ConfigurationSigningError(
      'SIGNER_NOT_KIND_SIGNER',
      `none of the signer's Node-IDs in ${config.instanceName} is a kind-signer`,
    );
  }
}

function renderConfiguration(config: OverlayConfiguration, signKind: KindSigner): string {
  const attributes =
    ` instance-name="${escapeXml(config.instanceName)}" sequence="${config.sequence}"` +
    ` expiration="${formatRfc3339(config.expiration)}"`;
  const settings = [...renderSettings(config), ...renderExtensions(config)].map((line) => pad(1) + line);
  return [
    `<configuration ${NAMESPACE_DECLARATIONS}${attributes}>`,
    ...settings,
    ...renderKinds(config, signKind, 1),
    '</configuration>',
  ].join('\n');
}

function renderSettings(config: OverlayConfiguration): string[] {
  return [
    element('topology-plugin', config.topologyPlugin),
    element('node-id-length', config.nodeIdLength),
    ...config.rootCerts.map((der) => element('root-cert', Buffer.from(der).toString('base64'))),
    ...config.enrollmentServers.map((url) => element('enrollment-server', url)),
    element('self-signed-permitted', config.selfSignedPermitted, ' digest="sha256"'),
    ...config.bootstrapNodes.map(
      (node) => `<bootstrap-node address="${escapeXml(node.address)}" port="${node.port}"/>`,
    ),
    element('turn-density', config.turnDensity),
    element('clients-permitted', config.clientsPermitted),
    element('no-ice', config.noIce),
    element('chord:chord-update-interval', config.chordUpdateIntervalS),
    element('chord:chord-ping-interval', config.chordPingIntervalS),
    element('chord:chord-reactive', config.chordReactive),
    element('max-message-size', config.maxMessageSize),
    element('initial-ttl', config.initialTtl),
    element('overlay-reliability-timer', config.overlayReliabilityTimerMs),
    ...config.overlayLinkProtocols.map((protocol) => element('overlay-link-protocol', protocol)),
    ...config.kindSigners.map((id) => element('kind-signer', idToHex(id))),
    ...config.configurationSigners.map((id) => element('configuration-signer', idToHex(id))),
    ...config.badNodes.map((id) => element('bad-node', idToHex(id))),
    ...config.mandatoryExtensions.map((uri) => element('mandatory-extension', uri)),
  ];
}

function renderExtensions(config: OverlayConfiguration): string[] {
  const limit = config.rateLimitPerIdentity;
  return [
    element('p2psip:self-registration', config.selfRegistration),
    ...config.allowedDomains.map((domain) => element('p2psip:allowed-domain', domain)),
    element('p2psip:max-node-ids-per-user', config.maxNodeIdsPerUser),
    ...(limit
      ? [
          `<p2psip:rate-limit-per-identity requests-per-second="${limit.requestsPerSecond}"` +
            ` burst="${limit.burst}"/>`,
        ]
      : []),
    element('redir:branching-factor', config.redirBranchingFactor),
  ];
}

// Lines are laid out at their final depth before a kind is signed: its signature covers the inner
// lines' indentation too, so nothing may re-indent the text afterwards.
function renderKinds(config: OverlayConfiguration, signKind: KindSigner, depth: number): string[] {
  if (config.kinds.length === 0) return [];
  const blocks = config.kinds.flatMap((kind) => {
    const kindText = renderKind(kind, depth + 2);
    const signature = signKind(kindText);
    return [
      pad(depth + 1) + '<kind-block>',
      pad(depth + 2) + kindText,
      ...(signature ? [pad(depth + 2) + element('kind-signature', base64(signature))] : []),
      pad(depth + 1) + '</kind-block>',
    ];
  });
  return [pad(depth) + '<required-kinds>', ...blocks, pad(depth) + '</required-kinds>'];
}

/** One `<kind>` element as it appears at `depth`: the first line unpadded, the rest laid out. */
function renderKind(kind: KindDefinition, depth: number): string {
  // A registered name reads better and is what RFC 6940's examples use; private kinds need the id.
  const selector = kind.name !== undefined ? `name="${escapeXml(kind.name)}"` : `id="${kind.id}"`;
  const parameters = [
    element('data-model', kind.dataModel),
    element('access-control', kind.accessControl),
    element('max-count', kind.maxCount),
    element('max-size', kind.maxSize),
    ...(kind.maxNodeMultiple !== undefined ? [element('max-node-multiple', kind.maxNodeMultiple)] : []),
  ];
  return [
    `<kind ${selector}>`,
    ...parameters.map((line) => pad(depth + 1) + line),
    pad(depth) + '</kind>',
  ].join('\n');
}

function element(name: string, value: string | number | boolean, attributes = ''): string {
  return `<${name}${attributes}>${escapeXml(String(value))}</${name}>`;
}

function pad(depth: number): string {
  return INDENT.repeat(depth);
}

function base64(block: SecurityBlock): string {
  return encodeSecurityBlock(block).toString('base64');
}

/** RFC 3339 in UTC, with a fraction only when the time has milliseconds. */
export function formatRfc3339(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}
