/**
 * Prerequisites that npm does not install (Debian's chromium, prometheus). Where one is missing, a developer's
 * run skips the tests that need it and prints why; in CI (CI set, as `.ci/run` has it) the run fails.
 */
export const IN_CI = Boolean(process.env.CI) && !['false', '0'].includes(process.env.CI!);

/** True when present; otherwise warns and returns false, or throws in CI. */
export function prerequisite(present: boolean, missing: string): boolean {
  if (present) return true;
  if (IN_CI) throw new Error(`missing prerequisite in CI: ${missing}`);
  console.warn(`skipping: ${missing}`);
  return false;
}
