/** One CLI command. Each lives in src/cli/commands/<name>.ts and is listed in commands/index.ts. */
export interface CliCommand {
  name: string;
  /** One line for `--help`. */
  summary: string;
  /** Full usage text for `<command> --help`. */
  usage: string;
  /** Runs the command; returns the process exit code. */
  run(argv: string[]): Promise<number>;
}
