export interface Command {
  summary: string;
  help: string;
  /** Returns the exit code. Throws RnncError for bad input (printed as one line per problem). */
  run(argv: string[]): Promise<number>;
}
