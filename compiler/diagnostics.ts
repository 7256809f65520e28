/**
 * Errors a user can act on. Every stage throws RnncError with a message that says
 * where (a JSON path, file:line:col, or an equation name) and what was expected.
 * The CLI prints `message` alone — never a stack trace.
 */
export class RnncError extends Error {
  /** Several problems found at once (e.g. all schema violations of one file). */
  readonly problems: string[];
  constructor(problems: string | string[]) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.join("\n"));
    this.name = "RnncError";
    this.problems = list;
  }
}

/** Prefix every problem of an error with a location, keeping it an RnncError. */
export function withLocation(where: string, err: unknown): never {
  if (err instanceof RnncError) throw new RnncError(err.problems.map((p) => `${where}: ${p}`));
  throw err;
}
