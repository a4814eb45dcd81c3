import type { CertificateWork, CsrInspection, IssueRequest } from '@p2psip/ca';
import type { IssuedCertificate } from '@p2psip/identity';
import { Worker } from 'node:worker_threads';
import {
  type SigningResult,
  type SigningTask,
  type SigningTaskBody,
  type SigningWorkerData,
  ownBytes,
} from './protocol';

/** A failure inside a worker, with the code the worker's error had (e.g. BAD_CSR). */
export class SigningWorkError extends Error {
  constructor(
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

interface PendingTask {
  resolve(value: CsrInspection | IssuedCertificate): void;
  reject(error: Error): void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly pending: Map<number, PendingTask>;
}

/**
 * CertificateWork on a pool of worker threads, each with the CA key; tasks go to the worker with
 * the fewest in flight. A worker that dies fails its tasks and is replaced, so one bad input can
 * never take the CA down.
 */
export class WorkerCertificateWork implements CertificateWork {
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly script: string,
    private readonly data: SigningWorkerData,
  ) {}

  static async start(init: {
    script: string;
    size: number;
    data: SigningWorkerData;
  }): Promise<WorkerCertificateWork> {
    const pool = new WorkerCertificateWork(init.script, init.data);
    await Promise.all(Array.from({ length: Math.max(1, init.size) }, () => pool.spawn()));
    return pool;
  }

  inspectCsr(der: Uint8Array): Promise<CsrInspection> {
    const own = ownBytes(der);
    return this.submit({ kind: 'inspect', der: own }, [own.buffer]) as Promise<CsrInspection>;
  }

  issue(request: IssueRequest): Promise<IssuedCertificate> {
    return this.submit({ kind: 'issue', request }).then((value) => {
      const issued = value as IssuedCertificate;
      // Structured clone turns Buffers into Uint8Arrays; callers expect a Buffer. The bytes were
      // moved here in an ArrayBuffer of their own, so a view over them needs no copy.
      const { buffer, byteOffset, byteLength } = issued.der;
      return { ...issued, der: Buffer.from(buffer, byteOffset, byteLength) };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private submit(
    task: SigningTaskBody,
    transfer: readonly ArrayBuffer[] = [],
  ): Promise<CsrInspection | IssuedCertificate> {
    const [first, ...rest] = this.workers;
    if (!first) return Promise.reject(new SigningWorkError(undefined, 'no signing worker is running'));
    const target = rest.reduce(
      (best, candidate) => (candidate.pending.size < best.pending.size ? candidate : best),
      first,
    );
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      const message: SigningTask = { ...task, id };
      target.worker.postMessage(message, transfer);
    });
  }

  private spawn(): Promise<void> {
    // ASN.1 work allocates many short-lived objects; a larger young generation means fewer
    // scavenges, which shows as a shorter latency tail under load.
    const worker = new Worker(this.script, {
      workerData: this.data,
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
    const entry: PoolWorker = { worker, pending: new Map() };
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (first) => {
        if (first !== 'ready') return reject(new Error('signing worker did not start'));
        worker.off('error', reject);
        // Kept for the worker's life: an 'error' event without a listener would crash the CA.
        worker.on('error', () => undefined);
        this.workers.push(entry);
        worker.on('message', (result: SigningResult) => this.settle(entry, result));
        worker.on('exit', () => this.replace(entry));
        resolve();
      });
    });
  }

  private settle(entry: PoolWorker, result: SigningResult): void {
    const task = entry.pending.get(result.id);
    if (!task) return;
    entry.pending.delete(result.id);
    if (result.ok) task.resolve(result.value);
    else task.reject(new SigningWorkError(result.code, result.message));
  }

  private replace(entry: PoolWorker): void {
    const index = this.workers.indexOf(entry);
    if (index >= 0) this.workers.splice(index, 1);
    for (const task of entry.pending.values())
      task.reject(new SigningWorkError(undefined, 'signing worker exited'));
    entry.pending.clear();
    if (!this.closed) void this.spawn().catch(() => undefined);
  }
}
