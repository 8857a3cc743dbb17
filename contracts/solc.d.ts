// Minimal typing of the solc-js API used by compile.ts (the package ships no types).
declare module 'solc' {
  interface ImportResult {
    contents?: string;
    error?: string;
  }
  interface Solc {
    /** Full compiler version, e.g. "0.8.28+commit.7893614a.Emscripten.clang". */
    version(): string;
    /** Standard JSON in, standard JSON out. */
    compile(input: string, callbacks?: { import?: (path: string) => ImportResult }): string;
  }
  const solc: Solc;
  export default solc;
}
