import type { RingId } from '@p2psip/identity';
import { resourceDestination } from '../messages/destination';
import type { MessageBody } from '../messages/message';
import type { OverlayNode } from '../overlay-node';

/** Test-only request: "are you responsible for this id, and how many links did I cross?". */
export interface RouteProbeRequest extends MessageBody {
  readonly type: 'route_probe_req';
  readonly id: bigint;
}

export interface RouteProbeAnswer extends MessageBody {
  readonly type: 'route_probe_ans';
  readonly responsible: boolean;
  readonly hops: number;
}

/** Registers the route-probe handler (an extension method, as the storage lib would add one). */
export function installRouteProbe(node: OverlayNode): void {
  node.handle<RouteProbeRequest>('route_probe_req', (r) => ({
    type: 'route_probe_ans',
    responsible: node.isResponsible(r.body.id),
    hops: r.hops,
  }));
}

/** Routes a probe for `id` from `node`; resolves with where it ended. */
export async function routeProbe(
  node: OverlayNode,
  id: RingId,
): Promise<RouteProbeAnswer & { from: bigint }> {
  const body: RouteProbeRequest = { type: 'route_probe_req', id };
  const answer = await node.request(resourceDestination(id), body);
  return { ...(answer.body as RouteProbeAnswer), from: answer.from };
}
