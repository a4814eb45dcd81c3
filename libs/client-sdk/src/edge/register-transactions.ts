import { type SipRequest, type SipResponse, parseVia } from '@p2psip/sip';

/** How long a completed transaction answers retransmissions (Timer J: 64·T1 over UDP). */
const TIMER_J_MS = 32_000;

/**
 * Server transactions for REGISTER (RFC 3261 §17.2.2): a retransmission that arrives while the
 * registrar works (storing in the overlay can take longer than T1) is absorbed, one that arrives
 * later gets the same final response again. Without this every retransmission was a new overlay
 * store, and racing stores of one AOR refused each other (DataTooOld).
 */
export class RegisterTransactions<Ingress> {
  private readonly transactions = new Map<string, { response?: SipResponse }>();

  constructor(
    private readonly registrar: (request: SipRequest, ingress: Ingress) => Promise<SipResponse>,
    private readonly send: (response: SipResponse, ingress: Ingress) => void,
  ) {}

  async handle(request: SipRequest, ingress: Ingress): Promise<void> {
    const key = transactionKey(request);
    const known = this.transactions.get(key);
    if (known) {
      if (known.response) this.send(known.response, ingress);
      return;
    }
    const transaction: { response?: SipResponse } = {};
    this.transactions.set(key, transaction);
    try {
      transaction.response = await this.registrar(request, ingress);
    } finally {
      setTimeout(() => this.transactions.delete(key), TIMER_J_MS).unref();
    }
  }

  get size(): number {
    return this.transactions.size;
  }
}

/** The top Via's branch and sent-by with the method: RFC 3261 §17.2.3 matching. */
function transactionKey(request: SipRequest): string {
  const via = parseVia(request.headers.get('Via') ?? '');
  return `${via.params.get('branch') ?? ''}|${via.host}:${via.port ?? ''}|${request.method}`;
}
