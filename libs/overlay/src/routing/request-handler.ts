import type { NodeId } from '@p2psip/identity';
import type { Link } from '../components';
import type { MessageBody, OverlayMessage } from '../messages/message';

/** A request delivered to this node, as a handler sees it. */
export interface IncomingRequest<B extends MessageBody = MessageBody> {
  readonly body: B;
  readonly message: OverlayMessage<B>;
  /** The originator: first via entry, or the previous hop when the request came straight. */
  readonly origin: NodeId;
  /** Link to the previous hop; undefined when this node sent the request to itself. */
  readonly link: Link | undefined;
  /** Links the request crossed (via length + 1; 0 for a request to oneself). */
  readonly hops: number;
}

/**
 * Handles one request type; returns the answer body or throws a `ReloadError` to answer with
 * that code. Any other exception is answered with Error_Invalid_Message and logged.
 */
export type RequestHandler<B extends MessageBody = MessageBody> = (
  request: IncomingRequest<B>,
) => MessageBody | Promise<MessageBody>;
