/** One page of a listing, as the client's endpoint wrappers return it. */
export interface Page<T> {
  items: T[];
  hasMore: boolean;
  pageToken?: string;
}

/**
 * Every item of a paginated listing, fetching each page only when the consumer reaches it,
 * so a `for await` loop that breaks early stops fetching. A page claiming more without a new
 * token ends the listing rather than looping on the same page.
 */
export async function* paginate<T>(
  fetchPage: (pageToken: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T, void, undefined> {
  let pageToken: string | undefined;
  for (;;) {
    const page = await fetchPage(pageToken);
    yield* page.items;
    if (!page.hasMore || !page.pageToken || page.pageToken === pageToken) return;
    pageToken = page.pageToken;
  }
}

/** Collects an async iterable; for callers that want the whole listing at once. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
