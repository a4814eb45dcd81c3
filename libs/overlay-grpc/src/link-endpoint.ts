import type { NodeId } from '@p2psip/identity';
import type { Link } from '@p2psip/overlay';

/** A virtual peer hosted by this process, as incoming links see it. */
export interface LinkEndpoint {
  readonly nodeId: NodeId;
  accept(link: Link): void;
}
