// What the dependency checks (test/dependencies.test.ts, test/production-imports.test.ts) accept
// beside the declared run-time dependencies.

/**
 * Loads that only happen when the process itself runs from the TypeScript sources through tsx
 * (tests, development), where tsx is installed: named here one by one, with the reason.
 */
export const SOURCE_ONLY_LOADS: ReadonlyArray<{ file: string; spec: string; why: string }> = [
  { file: 'src/storage/database.ts', spec: 'tsx/esm/api', why: 'the checkpointer worker registers tsx only when database.ts itself is a .ts file' },
  { file: 'src/methods/derive-ahead.ts', spec: 'tsx/esm/api', why: 'the derive-ahead worker registers tsx only when derive-ahead.ts itself is a .ts file' },
];
