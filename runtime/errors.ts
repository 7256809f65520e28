/**
 * The one error type the runtime throws for anything a caller can act on: a malformed manifest, a
 * manifest that does not match its module, wrong input data, a batch/sequence size that does not
 * fit in WebAssembly memory. `message` is a single line naming the tensor (or JSON path) and what
 * was expected.
 */
export class RnncRuntimeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RnncRuntimeError";
  }
}
