/**
 * The one loading rule for HiGHS in every runtime: load once and share the result; forget a
 * failure, so that the next call tries again (a load that failed for a passing reason, a
 * missing asset or memory, does not disable the MILP solver until the process restarts).
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
