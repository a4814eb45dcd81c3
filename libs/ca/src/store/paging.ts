import type { PageRequest } from './enrollment-store';

/** The contract's page size when the caller names none. */
export const DEFAULT_PAGE_LIMIT = 100;
/** The contract's largest page; bigger requests are clamped rather than refused. */
export const MAX_PAGE_LIMIT = 1000;

/** The page size to use for a request: the default, or the caller's clamped to the maximum. */
export function pageLimit(page: PageRequest | undefined): number {
  const limit = page?.limit ?? DEFAULT_PAGE_LIMIT;
  if (Number.isNaN(limit) || limit < 1) throw new RangeError(`page limit must be at least 1, got ${limit}`);
  return Math.min(Math.floor(limit), MAX_PAGE_LIMIT);
}

/**
 * Cuts a page from items read in key order. Adapters read `limit + 1` items so that the extra one
 * tells whether another page exists: `next` is undefined on the last page, as the contract says.
 */
export function cutPage<T>(
  items: readonly T[],
  limit: number,
  keyOf: (item: T) => string,
): { items: T[]; next: string | undefined } {
  if (items.length <= limit) return { items: [...items], next: undefined };
  const page = items.slice(0, limit);
  return { items: page, next: keyOf(page[page.length - 1]) };
}
