import { EnrollmentFailureError, type Enroller, type RevocationListCache } from '@p2psip/ca';
import type { IncomingMessage } from 'node:http';
import { Counter, type Registry } from 'prom-client';
import { FormError, readEnrollForm } from './enroll-form';
import { type HttpAnswer, type Route, text } from './https-server';

export interface RouteDeps {
  readonly enroller: Enroller;
  /** The current signed configuration document, exact bytes. */
  readonly configurationDocument: () => Uint8Array;
  readonly crl: RevocationListCache;
  readonly caPem: string;
  readonly metrics: Registry;
}

/** The HTTPS routes of RFC 6940 §11 plus the CA certificate. */
export function enrollmentRoutes(deps: RouteDeps): Route[] {
  const outcomes = new Counter({
    name: 'p2psip_enrollment_enrollments_total',
    help: 'Enrollment attempts by outcome (issued, or the RFC 6940 failure token)',
    labelNames: ['outcome'],
    registers: [deps.metrics],
  });
  return [
    {
      method: 'POST',
      path: '/enroll',
      handler: (request, { logger }) => enroll(deps, outcomes, request, logger),
    },
    {
      method: 'GET',
      path: '/.well-known/reload-config',
      handler: () => {
        const document = deps.configurationDocument();
        // Between listening and loading the configuration there is nothing valid to serve.
        if (document.length === 0) return Promise.resolve(text(503, 'configuration not loaded yet'));
        return Promise.resolve({ status: 200, contentType: 'application/p2p-overlay+xml', body: document });
      },
    },
    {
      method: 'GET',
      path: '/crl',
      handler: async () => ({ status: 200, contentType: 'application/pkix-crl', body: await deps.crl.get() }),
    },
    {
      method: 'GET',
      path: '/ca.pem',
      handler: () =>
        Promise.resolve({ status: 200, contentType: 'application/x-pem-file', body: deps.caPem }),
    },
  ];
}

async function enroll(
  deps: RouteDeps,
  outcomes: Counter<'outcome'>,
  request: IncomingMessage,
  logger: { info(o: object, m: string): void },
): Promise<HttpAnswer> {
  if (!acceptsCertificate(request.headers.accept)) {
    request.resume();
    return text(406, 'the answer is application/pkix-cert; send Accept: application/pkix-cert');
  }
  try {
    const form = await readEnrollForm(request);
    const result = await deps.enroller.enroll({
      userName: form.username,
      password: form.password,
      nodeIdCount: form.nodeIds ?? 1,
      csr: form.csr,
    });
    outcomes.inc({ outcome: 'issued' });
    logger.info(
      { user: result.userName, serial: result.serialNumber, nodeIds: result.nodeIds },
      'certificate issued',
    );
    return { status: 200, contentType: 'application/pkix-cert', body: result.certificateDer };
  } catch (error) {
    if (error instanceof FormError) return text(error.status, error.message);
    if (error instanceof EnrollmentFailureError) {
      outcomes.inc({ outcome: error.token });
      logger.info({ token: error.token, detail: error.detail }, 'enrollment refused');
      // RFC 6940 §11.3: 403 with the bare token as text/plain.
      return { status: 403, contentType: 'text/plain', body: error.token };
    }
    throw error;
  }
}

function acceptsCertificate(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept
    .split(',')
    .map((range) => range.split(';', 1)[0]?.trim().toLowerCase())
    .some((range) => range === 'application/pkix-cert' || range === 'application/*' || range === '*/*');
}
