export { CorruptOutputError, isCorruptOutputError } from "./errors/corrupt-output-error.js";
export { isOutputWriteError, OutputWriteError } from "./errors/output-write-error.js";
export { isRunLockedError, RunLockedError } from "./errors/run-locked-error.js";
export type { Json } from "./json.js";
export type { BulkOptions, BulkSummary, BulkTask, Page, TaskContext } from "./options.js";
export { runBulk } from "./run-bulk.js";
