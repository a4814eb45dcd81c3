import { idToHex, resourceIdOfName, resourceNameOf } from '@p2psip/identity';
import { UsageError } from '@p2psip/cli';

export interface ResourceIdResult {
  /** What the user typed. */
  readonly input: string;
  /** The name that is hashed: an AOR without scheme, host lower-cased; other names as given. */
  readonly resourceName: string;
  /** 32 hex digits. */
  readonly resourceId: string;
}

/** `p2psip resource-id <name-or-AOR>`: where on the ring a name lives. */
export function resourceIdCommand(input: string): ResourceIdResult {
  try {
    return { input, resourceName: resourceNameOf(input), resourceId: idToHex(resourceIdOfName(input)) };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
