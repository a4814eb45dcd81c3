import { BinaryReader } from '@bufbuild/protobuf/wire';
import { loadSync } from '@grpc/proto-loader';
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { commonV1, diagnosticsV1, overlayV1, PROTO_FILES, PROTO_ROOT } from './index';
import * as namespaces from './index';

const { ErrorCode } = commonV1;
const GEN_DIR = path.join(__dirname, 'gen');

function filesUnder(dir: string, suffix: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

describe('proto — overlay message', () => {
  const resourceId = Buffer.from('0c51a942f50c828aef82a5af83e8ed59', 'hex');
  const nodeId = Buffer.from('6c1cfd6d5d9e35557d66a1b05f9e2247', 'hex');
  const transactionId = 0xfedc_ba98_7654_3210n; // above 2^63: needs the full uint64 range

  function storeContents(): overlayV1.MessageContents {
    return overlayV1.MessageContents.fromPartial({
      body: {
        $case: 'storeReq',
        storeReq: {
          resourceId,
          replicaNumber: 0,
          kindData: [
            {
              kind: 1,
              generationCounter: 7n,
              values: [
                {
                  storageTimeMs: 1_700_000_000_123n,
                  lifetimeS: 3600,
                  value: {
                    $case: 'dictionaryEntry',
                    dictionaryEntry: { key: nodeId, value: { exists: true, value: Buffer.from('route') } },
                  },
                  signature: {
                    hashAlgorithm: 4,
                    signatureAlgorithm: 3,
                    identity: {
                      type: commonV1.SignerIdentityType.SIGNER_IDENTITY_TYPE_CERT_HASH,
                      hashAlgorithm: 4,
                      certificateHash: Buffer.alloc(32, 0xab),
                    },
                    value: Buffer.from('sig'),
                  },
                },
              ],
            },
          ],
        },
      },
    });
  }

  it('round-trips a Store request with its header, body and a uint64 transaction id', () => {
    const contents = Buffer.from(overlayV1.MessageContents.encode(storeContents()).finish());
    const message: overlayV1.Message = {
      header: {
        overlay: 0x1234_5678,
        configurationSequence: 3,
        version: 10,
        ttl: 100,
        transactionId,
        maxResponseLength: 0,
        viaList: [{ id: { $case: 'nodeId', nodeId } }],
        destinationList: [{ id: { $case: 'resourceId', resourceId } }],
        options: [],
      },
      contents,
      security: { certificates: [], signature: undefined },
    };

    const decoded = overlayV1.Message.decode(overlayV1.Message.encode(message).finish());

    expect(decoded.header?.transactionId).toBe(transactionId);
    expect(decoded.header?.ttl).toBe(100);
    expect(decoded.header?.viaList).toEqual([{ id: { $case: 'nodeId', nodeId } }]);
    expect(decoded.header?.destinationList).toEqual([{ id: { $case: 'resourceId', resourceId } }]);
    expect(Buffer.compare(decoded.contents, contents)).toBe(0);

    const body = overlayV1.MessageContents.decode(decoded.contents).body;
    if (body?.$case !== 'storeReq') throw new Error(`expected a storeReq body, got ${body?.$case}`);
    expect(body.storeReq.resourceId).toEqual(resourceId);
    const [kindData] = body.storeReq.kindData;
    expect(kindData?.kind).toBe(1);
    expect(kindData?.generationCounter).toBe(7n);
    const value = kindData?.values[0];
    expect(value?.storageTimeMs).toBe(1_700_000_000_123n);
    expect(value?.lifetimeS).toBe(3600);
    expect(value?.value).toEqual({
      $case: 'dictionaryEntry',
      dictionaryEntry: { key: nodeId, value: { exists: true, value: Buffer.from('route') } },
    });
    expect(value?.signature?.identity?.certificateHash).toEqual(Buffer.alloc(32, 0xab));
  });

  it('keeps Message.contents wire-compatible with an embedded MessageContents', () => {
    // Field 2 is length-delimited either way: tag 0x12, length, then the MessageContents bytes.
    const embedded = overlayV1.MessageContents.encode({
      body: { $case: 'pingReq', pingReq: { padding: Buffer.alloc(8) } },
      extensions: [],
    }).finish();
    const message = overlayV1.Message.encode({
      header: undefined,
      contents: Buffer.from(embedded),
      security: undefined,
    }).finish();
    expect(Buffer.from(message)).toEqual(Buffer.concat([Buffer.from([0x12, embedded.length]), embedded]));
  });

  it('numbers MessageContents bodies with their RELOAD message codes', () => {
    const codeOf = (body: overlayV1.MessageContents['body']) => {
      const [fieldNumber] = new BinaryReader(
        overlayV1.MessageContents.encode({ body, extensions: [] }).finish(),
      ).tag();
      return fieldNumber;
    };
    expect(codeOf({ $case: 'probeReq', probeReq: { requestedInfo: [] } })).toBe(0x01);
    expect(codeOf({ $case: 'storeReq', storeReq: { resourceId, replicaNumber: 0, kindData: [] } })).toBe(
      0x07,
    );
    expect(codeOf({ $case: 'fetchAns', fetchAns: { kindResponses: [] } })).toBe(0x0a);
    expect(codeOf({ $case: 'appAttachReq', appAttachReq: overlayV1.AppAttachReq.create() })).toBe(0x1d);
  });

  it('throws an Error, never anything else, on garbage bytes', () => {
    const invalid = [
      [0x0a, 0x05, 0x01], // length 5, one byte present
      [0x0f], // wire type 7 does not exist
      [0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // varint over 10 bytes
    ];
    for (const bytes of invalid) {
      expect(() => overlayV1.Message.decode(Uint8Array.from(bytes))).toThrow(Error);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          overlayV1.LinkFrame.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('proto — RELOAD numbering', () => {
  it('gives every ErrorCode its RFC 6940 / RFC 7851 numeric code', () => {
    const expected: Record<string, number> = {
      ERROR_CODE_UNSPECIFIED: 0,
      ERROR_CODE_FORBIDDEN: 2,
      ERROR_CODE_NOT_FOUND: 3,
      ERROR_CODE_REQUEST_TIMEOUT: 4,
      ERROR_CODE_GENERATION_COUNTER_TOO_LOW: 5,
      ERROR_CODE_INCOMPATIBLE_WITH_OVERLAY: 6,
      ERROR_CODE_UNSUPPORTED_FORWARDING_OPTION: 7,
      ERROR_CODE_DATA_TOO_LARGE: 8,
      ERROR_CODE_DATA_TOO_OLD: 9,
      ERROR_CODE_TTL_EXCEEDED: 10,
      ERROR_CODE_MESSAGE_TOO_LARGE: 11,
      ERROR_CODE_UNKNOWN_KIND: 12,
      ERROR_CODE_UNKNOWN_EXTENSION: 13,
      ERROR_CODE_RESPONSE_TOO_LARGE: 14,
      ERROR_CODE_CONFIG_TOO_OLD: 15,
      ERROR_CODE_CONFIG_TOO_NEW: 16,
      ERROR_CODE_IN_PROGRESS: 17,
      ERROR_CODE_EXP_A: 18,
      ERROR_CODE_EXP_B: 19,
      ERROR_CODE_INVALID_MESSAGE: 20,
      ERROR_CODE_UNDERLAY_DESTINATION_UNREACHABLE: 21,
      ERROR_CODE_UNDERLAY_TIME_EXCEEDED: 22,
      ERROR_CODE_MESSAGE_EXPIRED: 23,
      ERROR_CODE_UPSTREAM_MISROUTING: 24,
      ERROR_CODE_LOOP_DETECTED: 25,
      ERROR_CODE_TTL_HOPS_EXCEEDED: 26,
      UNRECOGNIZED: -1, // ts-proto's marker for values this schema does not know
    };
    const actual = Object.fromEntries(
      Object.entries(ErrorCode).filter(([name]) => Number.isNaN(Number(name))),
    );
    expect(actual).toEqual(expected);
  });
});

describe('proto — packaging', () => {
  it('lists every .proto file in PROTO_FILES', () => {
    expect([...PROTO_FILES].sort()).toEqual(filesUnder(PROTO_ROOT, '.proto'));
  });

  it('re-exports every generated module under its package namespace', async () => {
    for (const file of filesUnder(GEN_DIR, '.ts')) {
      const [, domain, version] = file.split('/'); // p2psip/<domain>/<version>/<name>.ts
      const namespace = (namespaces as unknown as Record<string, Record<string, unknown>>)[
        `${domain}${version.toUpperCase()}`
      ];
      expect(namespace).toBeDefined();
      const generated = (await import(path.join(GEN_DIR, file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(generated)) {
        if (name === '__esModule') continue;
        expect([file, name, namespace?.[name]]).toEqual([file, name, value]);
      }
    }
  });

  it('loads with @grpc/proto-loader and defines every service', () => {
    const definition = loadSync([...PROTO_FILES], { includeDirs: [PROTO_ROOT] });
    const services: Record<string, string[]> = {
      'p2psip.overlay.v1.OverlayLinkService': ['Link'],
      'p2psip.peer.v1.ClientAccessService': [
        'Connect',
        'GetAttachmentInfo',
        'Store',
        'Fetch',
        'Stat',
        'Find',
        'AppAttach',
      ],
      'p2psip.enrollment.v1.EnrollmentService': ['Enroll', 'GetConfiguration', 'GetCaCertificate'],
      'p2psip.enrollment.v1.EnrollmentAdminService': [
        'AddUser',
        'DisableUser',
        'ListUsers',
        'ListCertificates',
        'RevokeCertificate',
        'GetOverlayConfiguration',
        'UpdateOverlayConfiguration',
        'GetStats',
      ],
      'p2psip.bootstrap.v1.BootstrapService': [
        'GetConfig',
        'GetAdmittingPeers',
        'ListPeers',
        'RegisterPeer',
        'UnregisterPeer',
      ],
      'p2psip.relay.v1.RelayDiscoveryService': ['FindRelays', 'ListRelays'],
      'p2psip.diagnostics.v1.DiagnosticsService': [
        'GetNodeInfo',
        'TracePath',
        'ListStoredResources',
        'ProbeRoute',
        'Ping',
      ],
    };
    for (const [service, methods] of Object.entries(services)) {
      const methodPaths = Object.values(definition[service] ?? {}).map(
        (method) => (method as { path: string }).path,
      );
      expect(methodPaths.sort()).toEqual(methods.map((method) => `/${service}/${method}`).sort());
    }
  });

  it('gives the generated gRPC definitions the same paths as the .proto files', () => {
    expect(diagnosticsV1.DiagnosticsServiceService.ping.path).toBe(
      '/p2psip.diagnostics.v1.DiagnosticsService/Ping',
    );
    expect(overlayV1.OverlayLinkServiceService.link).toMatchObject({
      requestStream: true,
      responseStream: true,
    });
  });
});
