import type { CertificateAuthority } from '@p2psip/identity';
import { InvalidConfigurationError } from './errors';
import { BUILT_IN_KINDS, type OverlayConfiguration, defaultConfiguration } from './model';
import {
  NODE_A,
  NODE_B,
  NOW,
  OVERLAY,
  createTestAuthority,
  issueTestSigner,
  testConfiguration,
} from './test-pki';
import { validateConfiguration } from './validate';

function problemFields(config: OverlayConfiguration): string[] {
  try {
    validateConfiguration(config);
  } catch (error) {
    if (!(error instanceof InvalidConfigurationError)) throw error;
    expect(error.code).toBe('INVALID_CONFIGURATION');
    return error.problems.map((problem) => problem.field);
  }
  return [];
}

describe('overlay-config — defaults and validation', () => {
  let authority: CertificateAuthority;
  let valid: OverlayConfiguration;

  beforeAll(async () => {
    authority = await createTestAuthority();
    valid = testConfiguration(authority, NODE_A);
  });

  it("builds the platform's defaults, which validate", () => {
    const config = defaultConfiguration({
      instanceName: OVERLAY,
      rootCert: authority.certificate.der,
      enrollmentServer: 'https://enroll.p2psip.test/enroll',
      configurationSigner: NODE_A,
      now: new Date('2030-06-01T12:00:00.750Z'),
    });
    expect(config).toMatchObject({
      sequence: 1,
      expiration: new Date('2030-06-08T12:00:00Z'),
      topologyPlugin: 'CHORD-RELOAD',
      nodeIdLength: 16,
      selfSignedPermitted: false,
      turnDensity: 1,
      clientsPermitted: true,
      noIce: true,
      chordUpdateIntervalS: 60,
      chordPingIntervalS: 3600,
      chordReactive: true,
      maxMessageSize: 5000,
      initialTtl: 100,
      overlayReliabilityTimerMs: 3000,
      overlayLinkProtocols: ['TLS'],
      kindSigners: [NODE_A],
      configurationSigners: [NODE_A],
      selfRegistration: false,
      allowedDomains: [OVERLAY],
      maxNodeIdsPerUser: 8,
      redirBranchingFactor: 10,
      mandatoryExtensions: ['urn:ietf:params:xml:ns:p2p:redir'],
    });
    expect(config.rateLimitPerIdentity).toBeUndefined();
    expect(config.kinds.map((kind) => [kind.id, kind.dataModel, kind.accessControl])).toEqual([
      [1, 'DICTIONARY', 'USER-NODE-MATCH'],
      [2, 'SINGLE', 'NODE-MULTIPLE'],
      [3, 'ARRAY', 'NODE-MATCH'],
      [16, 'ARRAY', 'USER-MATCH'],
      [0x104, 'DICTIONARY', 'NODE-ID-MATCH'],
    ]);
    expect(config.kinds[1]?.maxNodeMultiple).toBe(20);
    expect(config.kinds[4]?.name).toBe('REDIR');
    expect(validateConfiguration(config)).toBe(config);
  });

  it('lists every problem at once', () => {
    const broken: OverlayConfiguration = {
      ...valid,
      instanceName: 'not_a dns name',
      sequence: 65535,
      enrollmentServers: ['http://enroll.p2psip.test/'],
      bootstrapNodes: [
        { address: '192.0.2.1', port: 0 },
        { address: 'bad host!', port: 65536 },
      ],
      overlayReliabilityTimerMs: 100,
      initialTtl: 256,
    };
    expect(problemFields(broken)).toEqual([
      'instanceName',
      'sequence',
      'enrollmentServers[0]',
      'initialTtl',
      'overlayReliabilityTimerMs',
      'bootstrapNodes[0].port',
      'bootstrapNodes[1].address',
      'bootstrapNodes[1].port',
    ]);
  });

  it('refuses duplicate kinds, non-positive limits and policies on the wrong data model', () => {
    const [sip, turn, byNode] = BUILT_IN_KINDS;
    const privateKind = {
      id: 0xf0000001,
      dataModel: 'DICTIONARY',
      accessControl: 'USER-NODE-MATCH',
    } as const;
    const kinds = [
      sip,
      { ...sip, maxCount: 0 },
      { ...turn, maxNodeMultiple: undefined },
      { ...byNode, maxSize: -1 },
      { ...privateKind, dataModel: 'ARRAY', maxCount: 1, maxSize: 1 } as const,
      {
        ...privateKind,
        id: 0xf0000002,
        dataModel: 'SINGLE',
        accessControl: 'USER-MATCH',
        maxCount: 2,
        maxSize: 1,
      } as const,
    ];
    expect(problemFields({ ...valid, kinds })).toEqual([
      'kinds[1].id',
      'kinds[1].maxCount',
      'kinds[2].maxNodeMultiple',
      'kinds[3].maxSize',
      'kinds[4].dataModel',
      'kinds[5].maxCount',
    ]);
  });

  it('insists on the registered data model, policy and name of IANA kinds', () => {
    const [sip] = BUILT_IN_KINDS;
    expect(
      problemFields({ ...valid, kinds: [{ ...sip, dataModel: 'ARRAY', accessControl: 'USER-MATCH' }] }),
    ).toEqual(['kinds[0]']);
    expect(problemFields({ ...valid, kinds: [{ ...sip, name: 'SIP' }] })).toEqual(['kinds[0].name']);
    expect(
      problemFields({
        ...valid,
        kinds: [
          {
            id: 0xf0000001,
            name: 'MINE',
            dataModel: 'ARRAY',
            accessControl: 'USER-MATCH',
            maxCount: 1,
            maxSize: 1,
          },
        ],
      }),
    ).toEqual(['kinds[0].name']);
  });

  it('refuses root certificates that are not CA certificates, and a bad node as signer', async () => {
    const node = await issueTestSigner(authority, NODE_B);
    expect(
      problemFields({ ...valid, rootCerts: [node.certificate.der, Buffer.from('junk')], badNodes: [NODE_A] }),
    ).toEqual(['rootCerts[0]', 'rootCerts[1]', 'badNodes']);
    expect(problemFields({ ...valid, rootCerts: [], configurationSigners: [] })).toEqual([
      'rootCerts',
      'configurationSigners',
    ]);
  });

  it('checks the p2psip extensions', () => {
    expect(
      problemFields({
        ...valid,
        allowedDomains: ['ok.example', 'not ok'],
        maxNodeIdsPerUser: 0,
        rateLimitPerIdentity: { requestsPerSecond: 0, burst: 1.5 },
        mandatoryExtensions: ['no-scheme'],
        redirBranchingFactor: 1,
      }),
    ).toEqual([
      'mandatoryExtensions[0]',
      'allowedDomains[1]',
      'maxNodeIdsPerUser',
      'redirBranchingFactor',
      'rateLimitPerIdentity.requestsPerSecond',
      'rateLimitPerIdentity.burst',
    ]);
  });

  it('accepts IPv4, IPv6 and DNS bootstrap addresses', () => {
    const bootstrapNodes = ['192.0.2.7', '2001:db8::1', 'bootstrap.p2psip.test'].map((address) => ({
      address,
      port: 1,
    }));
    expect(problemFields({ ...valid, bootstrapNodes, expiration: new Date(NOW) })).toEqual([]);
  });
});
