/** Where the CLI writes: `process.stdout` / `process.stderr`, or a test's capture. */
export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
}
