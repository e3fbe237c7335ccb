/** Bounded concurrency: at most `limit` tasks in flight, so a large import is fast without flooding the server. */

/**
 * Runs `task` for every item with at most `limit` running at once. After the first task that
 * throws, no new task starts; the ones in flight finish, then that first error is rethrown.
 */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    // Each turn takes a new index, so the loop ends after at most items.length turns in all.
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        await task(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure !== undefined) throw failure.error;
}
