/** package.json's version, written there by scripts/write-version.mjs (`npm version` runs it); a test checks that they agree. */
export const VERSION = '0.1.0';
