import { type Administration, InvalidRequestError } from '@p2psip/ca';
import { idToHex, nodeIdFromBytes } from '@p2psip/identity';
import { enrollmentV1 } from '@p2psip/proto';
import { type CallContext, RpcError, type ServiceHandlers } from '@p2psip/rpc';
import type { ConfigurationManager } from '../configuration/configuration-view';
import {
  fromConfigurationMessage,
  revocationReasonText,
  toCertificateInfo,
  toConfigurationMessage,
  toUserMessage,
} from './mappers';

export interface AdminServiceDeps {
  readonly administration: Administration;
  readonly configuration: ConfigurationManager;
  /** SHA-256 fingerprint of the admin credential's certificate (state dir `admin/cert.pem`). */
  readonly adminFingerprint: string;
  /** Enrollments refused since start (for stats). */
  readonly failedEnrollments: () => number;
  readonly now?: () => number;
}

const DEFAULT_PAGE = 100;

/**
 * The admin service. Every call must come over TLS with the admin credential's certificate: being
 * enrolled in the overlay is not enough to run the CA.
 */
export function adminServiceHandlers(
  deps: AdminServiceDeps,
): ServiceHandlers<typeof enrollmentV1.EnrollmentAdminServiceService> {
  const now = deps.now ?? Date.now;
  const { administration, configuration } = deps;
  const guard = (context: CallContext): void => {
    if (!context.peer)
      throw new RpcError(
        'unauthenticated',
        'ADMIN_CREDENTIAL_REQUIRED',
        'admin calls need the admin credential (client certificate)',
      );
    if (context.peer.certificate.fingerprint !== deps.adminFingerprint) {
      throw new RpcError('forbidden', 'NOT_ADMIN', 'this certificate is not the admin credential');
    }
  };
  return {
    addUser: async (request, context) => {
      guard(context);
      return { user: toUserMessage(await administration.addUser(request.username, request.password)) };
    },
    disableUser: async (request, context) => {
      guard(context);
      const { user, revoked } = await administration.setDisabled(request.username, true, {
        revokeCertificates: request.revokeCertificates,
      });
      return {
        user: toUserMessage(user),
        revoked: revoked.map((record) => toCertificateInfo(record, now())),
      };
    },
    listUsers: async (request, context) => {
      guard(context);
      const page = await administration.listUsers(pageOf(request.pageToken, request.pageSize));
      return { users: page.users.map(toUserMessage), nextPageToken: page.next ?? '' };
    },
    listCertificates: async (request, context) => {
      guard(context);
      const { CertificateStatus } = enrollmentV1;
      const filter = {
        ...(request.username ? { userName: request.username } : {}),
        ...(request.nodeId.length > 0 ? { nodeId: idToHex(nodeIdFromBytes(request.nodeId)) } : {}),
        ...(request.status === CertificateStatus.CERTIFICATE_STATUS_REVOKED ? { revoked: true } : {}),
        ...(request.status === CertificateStatus.CERTIFICATE_STATUS_ACTIVE ||
        request.status === CertificateStatus.CERTIFICATE_STATUS_EXPIRED
          ? { revoked: false }
          : {}),
      };
      const page = await administration.listCertificates(filter, pageOf(request.pageToken, request.pageSize));
      // Expiry is not indexed: active/expired are told apart here (a page may come back short).
      const infos = page.certificates
        .map((record) => toCertificateInfo(record, now()))
        .filter(
          (info) =>
            request.status === CertificateStatus.CERTIFICATE_STATUS_UNSPECIFIED ||
            info.status === request.status,
        );
      return { certificates: infos, nextPageToken: page.next ?? '' };
    },
    revokeCertificate: async (request, context) => {
      guard(context);
      const target = request.target;
      if (!target) throw new InvalidRequestError('name a serial number or a Node-ID to revoke');
      const revoked = await administration.revoke(
        target.$case === 'serialNumber'
          ? { serialNumber: target.serialNumber }
          : { nodeId: idToHex(nodeIdFromBytes(target.nodeId)) },
        revocationReasonText(request.reason),
      );
      return { revoked: revoked.map((record) => toCertificateInfo(record, now())) };
    },
    getOverlayConfiguration: (_request, context) => {
      guard(context);
      return Promise.resolve({ configuration: toConfigurationMessage(configuration.current()) });
    },
    updateOverlayConfiguration: async (request, context) => {
      guard(context);
      if (!request.configuration) throw new InvalidRequestError('the new configuration is missing');
      const { maxNodeIdsPerUser, ...settings } = fromConfigurationMessage(request.configuration);
      if (maxNodeIdsPerUser > 1000) throw new InvalidRequestError('at most 1000 Node-IDs per user');
      const change = maxNodeIdsPerUser > 0 ? { ...settings, maxNodeIdsPerUser } : settings;
      const view = await configuration.update(change, request.expectedSequence);
      return { sequence: view.sequence };
    },
    getStats: async (_request, context) => {
      guard(context);
      const stats = await administration.stats();
      return {
        users: stats.users,
        usersDisabled: stats.usersDisabled,
        certificatesIssued: stats.certificatesIssued,
        certificatesActive: stats.certificatesActive,
        certificatesRevoked: stats.certificatesRevoked,
        enrollmentsFailed: deps.failedEnrollments(),
        configurationSequence: configuration.current().sequence,
      };
    },
  };
}

function pageOf(token: string, size: number): { after?: string; limit: number } {
  return { ...(token ? { after: token } : {}), limit: size > 0 ? Math.min(size, 1000) : DEFAULT_PAGE };
}
