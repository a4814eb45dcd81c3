import type { NodeId } from '@p2psip/identity';

/** Namespaces of the document (RFC 6940 §11.1, §14.x IANA; ours for the platform's extensions). */
export const CONFIG_BASE_NAMESPACE = 'urn:ietf:params:xml:ns:p2p:config-base';
export const CONFIG_CHORD_NAMESPACE = 'urn:ietf:params:xml:ns:p2p:config-chord';
export const P2PSIP_CONFIG_NAMESPACE = 'urn:x-p2psip:config:1';
/** RFC 7374: ReDiR's `branching-factor`; the namespace goes into `mandatory-extension`. */
export const REDIR_CONFIG_NAMESPACE = 'urn:ietf:params:xml:ns:p2p:redir';
/** The namespaces this implementation understands, i.e. those it accepts as `mandatory-extension`. */
export const SUPPORTED_NAMESPACES: readonly string[] = [
  CONFIG_BASE_NAMESPACE,
  CONFIG_CHORD_NAMESPACE,
  P2PSIP_CONFIG_NAMESPACE,
  REDIR_CONFIG_NAMESPACE,
];

/** RFC 7374's default `redir:branching-factor`, also what an absent element means. */
export const DEFAULT_REDIR_BRANCHING_FACTOR = 10;
/**
 * The range of `redir:branching-factor` this platform runs (@p2psip/redir's tree): at least two
 * intervals per tree node, and at most 256 so that the start level 2 has ≤ 2^16 nodes, the range
 * of the record's uint16 `node` field.
 */
export const MIN_REDIR_BRANCHING_FACTOR = 2;
export const MAX_REDIR_BRANCHING_FACTOR = 256;

/** How the configuration server serves the document (RFC 6940 §11.2). */
export const CONFIGURATION_MEDIA_TYPE = 'application/p2p-overlay+xml';
export const CONFIGURATION_WELL_KNOWN_PATH = '/.well-known/reload-config';
/** IANA port "reload-config"; also what a `bootstrap-node` without `port` means. */
export const DEFAULT_BOOTSTRAP_PORT = 6084;

export type DataModel = 'SINGLE' | 'ARRAY' | 'DICTIONARY';
export type AccessControlPolicy =
  'USER-MATCH' | 'NODE-MATCH' | 'USER-NODE-MATCH' | 'NODE-MULTIPLE' | 'NODE-ID-MATCH';

/** One `<kind>` of `required-kinds`: what may be stored under a Kind-ID and by whom. */
export interface KindDefinition {
  /** Kind-ID, uint32 (RFC 6940 §14.x registry; 0xF0000001–0xFFFFFFFE private use). */
  readonly id: number;
  /**
   * The IANA name, written as `<kind name=…>` instead of `id=`. Only registered names are allowed
   * (see REGISTERED_KINDS), since a reader maps the name back to the id through the registry.
   */
  readonly name?: string;
  readonly dataModel: DataModel;
  readonly accessControl: AccessControlPolicy;
  /** Values per Resource-ID and Kind: array entries or dictionary keys; 1 for SINGLE. */
  readonly maxCount: number;
  /** Bytes per stored value. */
  readonly maxSize: number;
  /** NODE-MULTIPLE only: how many H(Node-ID ‖ i) slots a node may use. */
  readonly maxNodeMultiple?: number;
}

export interface BootstrapNode {
  /** IPv4/IPv6 literal or DNS name. */
  readonly address: string;
  readonly port: number;
}

/** Per-certificate request budget, a token bucket (our extension). */
export interface RateLimit {
  readonly requestsPerSecond: number;
  readonly burst: number;
}

/**
 * One `<configuration>` of the overlay configuration document (RFC 6940 §11.1).
 * Literal-typed fields are the only values this platform runs; a document asking for anything
 * else is refused as UNSUPPORTED_FEATURE when read.
 */
export interface OverlayConfiguration {
  /** The overlay name, a DNS name (`instance-name`). */
  readonly instanceName: string;
  /** 0..65534, increasing modulo 65535 (see sequence.ts). */
  readonly sequence: number;
  readonly expiration: Date;
  readonly topologyPlugin: 'CHORD-RELOAD';
  /** Bytes. */
  readonly nodeIdLength: 16;
  /** DER certificates of the enrollment CA(s). */
  readonly rootCerts: readonly Uint8Array[];
  /** https URLs of the enrollment servers. */
  readonly enrollmentServers: readonly string[];
  readonly selfSignedPermitted: false;
  readonly bootstrapNodes: readonly BootstrapNode[];
  /** Each TURN-capable peer stores itself at H(Node-ID ‖ d) for d = 1..turnDensity; 0 = no TURN. */
  readonly turnDensity: number;
  readonly clientsPermitted: boolean;
  readonly noIce: boolean;
  /** Seconds between Chord stabilisation Updates. */
  readonly chordUpdateIntervalS: number;
  /** Seconds between pings of the finger table. */
  readonly chordPingIntervalS: number;
  readonly chordReactive: boolean;
  /** Bytes. */
  readonly maxMessageSize: number;
  /** Hops. */
  readonly initialTtl: number;
  /** Milliseconds before the first end-to-end retransmission. */
  readonly overlayReliabilityTimerMs: number;
  readonly overlayLinkProtocols: readonly string[];
  readonly kindSigners: readonly NodeId[];
  readonly configurationSigners: readonly NodeId[];
  readonly badNodes: readonly NodeId[];
  /** Namespace URIs a node must understand to join. */
  readonly mandatoryExtensions: readonly string[];
  readonly kinds: readonly KindDefinition[];
  /** p2psip: whether the enrollment server creates accounts on first enrollment. */
  readonly selfRegistration: boolean;
  /** p2psip: domains user names may have; empty = this document sets no restriction. */
  readonly allowedDomains: readonly string[];
  /** p2psip: Node-IDs the enrollment server hands one user name, over all its certificates. */
  readonly maxNodeIdsPerUser: number;
  /** p2psip: absent = no per-identity limit. */
  readonly rateLimitPerIdentity?: RateLimit;
  /** ReDiR (RFC 7374): intervals per tree node of every namespace's tree. */
  readonly redirBranchingFactor: number;
}

interface RegisteredKind {
  readonly id: number;
  readonly name: string;
  readonly dataModel: DataModel;
  readonly accessControl: AccessControlPolicy;
}

/**
 * The IANA Kind-IDs this platform knows. For these the registry's data model and policy win over
 * anything a document says (RFC 6940 §11.1), so validation insists the two agree.
 * ACCESS-CONTROL-LIST (0x4, RFC 8076) is missing on purpose: its USER-CHAIN-ACL policy is not
 * implemented, so naming it must fail rather than silently mean something else.
 */
export const REGISTERED_KINDS: readonly RegisteredKind[] = [
  { id: 0x1, name: 'SIP-REGISTRATION', dataModel: 'DICTIONARY', accessControl: 'USER-NODE-MATCH' },
  { id: 0x2, name: 'TURN-SERVICE', dataModel: 'SINGLE', accessControl: 'NODE-MULTIPLE' },
  { id: 0x3, name: 'CERTIFICATE_BY_NODE', dataModel: 'ARRAY', accessControl: 'NODE-MATCH' },
  { id: 0x10, name: 'CERTIFICATE_BY_USER', dataModel: 'ARRAY', accessControl: 'USER-MATCH' },
  { id: 0x104, name: 'REDIR', dataModel: 'DICTIONARY', accessControl: 'NODE-ID-MATCH' },
];

export function registeredKindById(id: number): RegisteredKind | undefined {
  return REGISTERED_KINDS.find((kind) => kind.id === id);
}

export function registeredKindByName(name: string): RegisteredKind | undefined {
  return REGISTERED_KINDS.find((kind) => kind.name === name);
}

const SECOND_MS = 1000;
const DAY_MS = 24 * 60 * 60 * SECOND_MS;
/** A week: a withdrawn configuration stops being accepted within days, a config-server outage shorter than that strands nobody. */
export const DEFAULT_CONFIGURATION_VALIDITY_MS = 7 * DAY_MS;

/**
 * The five kinds every node of this platform stores. Sizes leave room over today's encodings;
 * counts are per Resource-ID.
 */
export const BUILT_IN_KINDS: readonly KindDefinition[] = [
  // One entry per registering device of the user (keyed by Node-ID): 4× the default
  // maxNodeIdsPerUser, so re-enrolled devices do not lock users out before old entries expire.
  // A SipRegistration is a URI or a short destination list: 1 KiB is ample.
  {
    id: 0x1,
    name: 'SIP-REGISTRATION',
    dataModel: 'DICTIONARY',
    accessControl: 'USER-NODE-MATCH',
    maxCount: 32,
    maxSize: 1024,
  },
  // TurnServer = iteration(1) + IpAddressPort(≤ 20) bytes; 20 slots is RFC 6940's value.
  {
    id: 0x2,
    name: 'TURN-SERVICE',
    dataModel: 'SINGLE',
    accessControl: 'NODE-MULTIPLE',
    maxCount: 1,
    maxSize: 64,
    maxNodeMultiple: 20,
  },
  // The current certificate plus its renewal during a roll-over; 4 KiB fits an RSA-4096 certificate.
  {
    id: 0x3,
    name: 'CERTIFICATE_BY_NODE',
    dataModel: 'ARRAY',
    accessControl: 'NODE-MATCH',
    maxCount: 2,
    maxSize: 4096,
  },
  // Two certificates (current + renewal) for each of up to 8 Node-IDs of one user.
  {
    id: 0x10,
    name: 'CERTIFICATE_BY_USER',
    dataModel: 'ARRAY',
    accessControl: 'USER-MATCH',
    maxCount: 16,
    maxSize: 4096,
  },
  // ReDiR tree nodes (RFC 7374), one entry per provider keyed by its Node-ID. A settled node holds
  // the lowest and highest provider of each of its b intervals (2b), but every provider also stores
  // at the start level, whose b^2 nodes share them all: 128 is ~12,800 providers per namespace at
  // b = 10. A RedirServiceProvider with one node destination is 29 bytes plus the namespace.
  {
    id: 0x104,
    name: 'REDIR',
    dataModel: 'DICTIONARY',
    accessControl: 'NODE-ID-MATCH',
    maxCount: 128,
    maxSize: 512,
  },
];

export interface DefaultConfigurationInit {
  /** Overlay name (a DNS name). */
  readonly instanceName: string;
  /** DER of the enrollment CA certificate. */
  readonly rootCert: Uint8Array;
  /** https URL of the enrollment server. */
  readonly enrollmentServer: string;
  /** Node-ID of the node that signs configurations (and kinds). */
  readonly configurationSigner: NodeId;
  readonly now: Date;
  /** @default DEFAULT_CONFIGURATION_VALIDITY_MS (7 days) */
  readonly validityMs?: number;
}

/** A complete configuration with this platform's defaults; bootstrap nodes are for the caller to add. */
export function defaultConfiguration(init: DefaultConfigurationInit): OverlayConfiguration {
  const validityMs = init.validityMs ?? DEFAULT_CONFIGURATION_VALIDITY_MS;
  // Whole seconds keep the rendered RFC 3339 timestamp free of a fraction.
  const expirationMs = Math.floor((init.now.getTime() + validityMs) / SECOND_MS) * SECOND_MS;
  return {
    instanceName: init.instanceName,
    // Any start works; nextSequence() wraps 65534 → 0 later.
    sequence: 1,
    expiration: new Date(expirationMs),
    topologyPlugin: 'CHORD-RELOAD',
    nodeIdLength: 16,
    rootCerts: [init.rootCert],
    enrollmentServers: [init.enrollmentServer],
    selfSignedPermitted: false,
    bootstrapNodes: [],
    turnDensity: 1,
    clientsPermitted: true,
    // Links are TLS connections opened directly (gRPC over mTLS), without ICE.
    noIce: true,
    // RFC 6940 suggests ~600 s; our rings are small and churn-tested, so we stabilise faster.
    chordUpdateIntervalS: 60,
    chordPingIntervalS: 3600,
    chordReactive: true,
    maxMessageSize: 5000,
    initialTtl: 100,
    overlayReliabilityTimerMs: 3000,
    overlayLinkProtocols: ['TLS'],
    // signConfiguration() signs the kinds with the configuration signer, so it must be listed.
    kindSigners: [init.configurationSigner],
    configurationSigners: [init.configurationSigner],
    badNodes: [],
    // Nodes that do not know ReDiR would misread the REDIR kind's policy (RFC 7374).
    mandatoryExtensions: [REDIR_CONFIG_NAMESPACE],
    kinds: BUILT_IN_KINDS,
    selfRegistration: false,
    allowedDomains: [init.instanceName.toLowerCase()],
    maxNodeIdsPerUser: 8,
    redirBranchingFactor: DEFAULT_REDIR_BRANCHING_FACTOR,
  };
}
