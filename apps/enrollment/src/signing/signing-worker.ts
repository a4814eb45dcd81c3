import { type CsrInspection, inProcessCertificateWork } from '@p2psip/ca';
import { type IssuedCertificate, importPrivateKeyPem, parseCertificate } from '@p2psip/identity';
import { webcrypto } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { type SigningResult, type SigningTask, type SigningWorkerData, ownBytes } from './protocol';

// A signing worker: parses and verifies CSRs and builds certificates with the CA key, so the
// server's main thread only does I/O. Entry point of dist/signing-worker.cjs.

async function start(): Promise<void> {
  const data = workerData as SigningWorkerData;
  const certificate = parseCertificate(data.caCertificatePem);
  const privateKey = await importPrivateKeyPem(data.caKeyPem);
  const publicKey = await webcrypto.subtle.importKey(
    'spki',
    certificate.x509.publicKey.rawData,
    { name: 'ECDSA', namedCurve: 'P-256' },
    true,
    ['verify'],
  );
  const work = inProcessCertificateWork({ certificate, keys: { privateKey, publicKey } });
  const port = parentPort;
  if (!port) throw new Error('signing-worker must run as a worker thread');
  port.on('message', (task: SigningTask) => {
    // Promise.resolve().then: a synchronous throw becomes a rejection answered to the main thread.
    const run = Promise.resolve().then((): Promise<CsrInspection | IssuedCertificate> =>
      task.kind === 'inspect' ? work.inspectCsr(task.der) : work.issue(task.request),
    );
    run.then(
      (value) => {
        const [answer, transfer] = movable(value);
        port.postMessage({ id: task.id, ok: true, value: answer } satisfies SigningResult, transfer);
      },
      (error: unknown) =>
        port.postMessage({
          id: task.id,
          ok: false,
          code: (error as { code?: string }).code,
          message: (error as Error).message ?? String(error),
        } satisfies SigningResult),
    );
  });
  port.postMessage('ready');
}

// The answer's bytes (an SPKI, a certificate) in ArrayBuffers of their own, moved to the main
// thread instead of cloned with the 8 KiB Buffer pool they were cut from.
function movable(
  value: CsrInspection | IssuedCertificate,
): [CsrInspection | IssuedCertificate, ArrayBuffer[]] {
  if ('publicKeySpki' in value) {
    const publicKeySpki = ownBytes(value.publicKeySpki);
    return [{ ...value, publicKeySpki }, [publicKeySpki.buffer]];
  }
  const der = ownBytes(value.der);
  return [{ ...value, der: Buffer.from(der.buffer) }, [der.buffer]];
}

void start();
