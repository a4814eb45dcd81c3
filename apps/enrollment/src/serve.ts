import {
  Administration,
  type CertificateWork,
  Enroller,
  RevocationListCache,
  inProcessCertificateWork,
} from '@p2psip/ca';
import { openEnrollmentStore } from '@p2psip/persistence';
import { enrollmentV1 } from '@p2psip/proto';
import { bindService, startRpcServer } from '@p2psip/rpc';
import { type Logger, createMetricsRegistry, startOpsServer } from '@p2psip/telemetry';
import { rm } from 'node:fs/promises';
import { Counter } from 'prom-client';
import { SignedConfiguration } from './configuration/signed-configuration';
import { openCertificateEvents } from './events';
import { adminServiceHandlers } from './grpc/admin-service';
import { enrollmentServiceHandlers } from './grpc/enrollment-service';
import { startHttpsServer } from './http/https-server';
import { enrollmentRoutes } from './http/routes';
import { writeStateFile } from './state/files';
import type { Endpoints } from './state/layout';
import { type LoadedState, loadState } from './state/load-state';
import { WorkerCertificateWork } from './signing/worker-certificate-work';

export interface ServeOptions {
  readonly dir: string;
  /** @default '127.0.0.1' */
  readonly host: string;
  readonly httpsPort: number;
  readonly grpcPort: number;
  readonly metricsPort: number;
  readonly mongodbUri?: string;
  readonly natsUrl?: string;
  /** Lifetime of issued certificates, ms. */
  readonly certificateValidityMs: number;
  /** Worker threads that check CSRs and sign certificates; 0 = on the main thread. */
  readonly signingWorkers: number;
  /** The bundled worker entry (dist/signing-worker.cjs); needed when signingWorkers > 0. */
  readonly signingWorkerScript?: string;
}

export interface RunningEnrollmentServer {
  readonly endpoints: Endpoints;
  stop(): Promise<void>;
}

/**
 * The composition root of `p2psip-enrollment serve`: state, store, configuration, events, the
 * CA's rules, then the HTTPS, gRPC and metrics endpoints. Stops in reverse order.
 */
export async function serve(options: ServeOptions, logger: Logger): Promise<RunningEnrollmentServer> {
  const state = await loadState(options.dir);
  const { overlay } = state.facts;
  const metrics = createMetricsRegistry();
  const store = await openEnrollmentStore({
    path: state.layout.store,
    ...(options.mongodbUri ? { mongodbUri: options.mongodbUri } : {}),
  });
  const stops: (() => Promise<void>)[] = [() => store.close()];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse())
      await stop().catch((error: unknown) => logger.error({ err: error }, 'stop failed'));
  };
  try {
    const events = await openCertificateEvents({
      ...(options.natsUrl ? { natsUrl: options.natsUrl } : {}),
      overlay,
      logger,
    });
    stops.push(() => events.close());

    // The HTTPS port must be known before the configuration can name the enrollment URL, so the
    // routes and the policy read the configuration through this holder, filled once it exists.
    const configurationHolder: { current?: SignedConfiguration } = {};
    const crl = new RevocationListCache({ store, authority: state.authority });
    const refused = new Counter({
      name: 'p2psip_enrollment_refused_total',
      help: 'Enrollments refused',
      registers: [metrics],
    });
    const policy = () => {
      const settings = configurationHolder.current?.current().settings;
      return {
        overlay,
        allowedDomains: settings?.allowedDomains ?? [overlay],
        selfRegistration: settings?.selfRegistration ?? false,
        maxNodeIdsPerUser: settings?.maxNodeIdsPerUser ?? 8,
        certificateValidityMs: options.certificateValidityMs,
      };
    };
    let refusedSinceStart = 0;
    const onRefused = (): void => {
      refused.inc();
      refusedSinceStart++;
    };
    const work = await startCertificateWork(options, state);
    stops.push(() => work.close());
    const enroller = new Enroller({
      store,
      authority: state.authority,
      policy,
      onIssued: events.issued,
      onRefused,
      work,
    });
    const administration = new Administration({
      store,
      policy,
      onRevoked: (record) => {
        crl.invalidate();
        events.revoked(record);
        logger.info({ serial: record.serialNumber, user: record.userName }, 'certificate revoked');
      },
    });

    const https = await startHttpsServer({
      certPem: state.server.certPem,
      keyPem: state.server.keyPem,
      host: options.host,
      port: options.httpsPort,
      logger: logger.child({ component: 'https' }),
      metrics,
      routes: enrollmentRoutes({
        enroller,
        configurationDocument: () => configurationHolder.current?.current().document ?? Buffer.alloc(0),
        crl,
        caPem: state.authority.certificate.pem,
        metrics,
      }),
    });
    stops.push(() => https.stop());
    const configuration = await SignedConfiguration.open({
      store,
      overlay,
      caCertificate: state.authority.certificate,
      signer: state.signer,
      enrollmentServer: `https://${https.address}/enroll`,
    });
    configurationHolder.current = configuration;
    const renewal = setInterval(
      () => {
        configuration
          .renewIfExpiring()
          .catch((error: unknown) => logger.error({ err: error }, 'configuration renewal failed'));
      },
      24 * 60 * 60 * 1000,
    );
    renewal.unref();
    stops.push(() => Promise.resolve(clearInterval(renewal)));

    const grpc = await startRpcServer({
      tls: {
        caPem: state.authority.certificate.pem,
        certPem: state.server.certPem,
        keyPem: state.server.keyPem,
      },
      clientAuth: 'optional',
      host: options.host,
      port: options.grpcPort,
      logger: logger.child({ component: 'grpc' }),
      metrics,
      services: [
        bindService(
          enrollmentV1.EnrollmentServiceService,
          enrollmentServiceHandlers({ enroller, configuration, caDer: state.authority.certificate.der }),
        ),
        bindService(
          enrollmentV1.EnrollmentAdminServiceService,
          adminServiceHandlers({
            administration,
            configuration,
            adminFingerprint: state.adminFingerprint,
            failedEnrollments: () => refusedSinceStart,
          }),
        ),
      ],
    });
    stops.push(() => grpc.stop());

    const ops = await startOpsServer({
      registry: metrics,
      health: { ready: () => true },
      logger,
      host: options.host,
      port: options.metricsPort,
    });
    stops.push(() => ops.stop());

    const endpoints: Endpoints = {
      https: https.address,
      grpc: grpc.address,
      metrics: ops.address,
      pid: process.pid,
    };
    await writeStateFile(state.layout.endpoints, `${JSON.stringify(endpoints, null, 2)}\n`);
    stops.push(() => rm(state.layout.endpoints, { force: true }));
    logger.info({ ...endpoints, overlay, sequence: configuration.current().sequence }, 'ready');
    return { endpoints, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startCertificateWork(
  options: ServeOptions,
  state: LoadedState,
): Promise<CertificateWork & { close(): Promise<void> }> {
  if (options.signingWorkers <= 0 || !options.signingWorkerScript) {
    return { ...inProcessCertificateWork(state.authority), close: () => Promise.resolve() };
  }
  return WorkerCertificateWork.start({
    script: options.signingWorkerScript,
    size: options.signingWorkers,
    data: { caCertificatePem: state.authority.certificate.pem, caKeyPem: state.caKeyPem },
  });
}
