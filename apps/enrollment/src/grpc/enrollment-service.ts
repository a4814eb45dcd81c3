import type { Enroller } from '@p2psip/ca';
import { enrollmentV1 } from '@p2psip/proto';
import type { ServiceHandlers } from '@p2psip/rpc';
import type { ConfigurationManager } from '../configuration/configuration-view';

/** gRPC twin of POST /enroll for our own clients, plus the configuration and the CA. */
export function enrollmentServiceHandlers(deps: {
  readonly enroller: Enroller;
  readonly configuration: ConfigurationManager;
  readonly caDer: Uint8Array;
}): ServiceHandlers<typeof enrollmentV1.EnrollmentServiceService> {
  return {
    enroll: async (request) => {
      // Failures are EnrollmentFailureErrors: kind → status, token → details (libs/rpc mapping).
      const result = await deps.enroller.enroll({
        userName: request.username,
        password: request.password,
        nodeIdCount: request.nodeIdCount === 0 ? 1 : request.nodeIdCount,
        csr: request.csrDer,
      });
      return { certificateDer: result.certificateDer };
    },
    getConfiguration: () => {
      const view = deps.configuration.current();
      return Promise.resolve({
        document: Buffer.from(view.document),
        sequence: view.sequence,
        expiresAtMs: BigInt(view.expiresAtMs),
      });
    },
    getCaCertificate: () => Promise.resolve({ certificatesDer: [Buffer.from(deps.caDer)] }),
  };
}
