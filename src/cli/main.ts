/**
 * `npm run cli -- <command> [options]`: the Node entry. It parses arguments and calls the same
 * services the web workers use (src/services), without a worker.
 */
import { commands } from './commands/index.ts';

function help(): string {
  const width = Math.max(8, ...commands.map((c) => c.name.length));
  return [
    'ReflectionCoder Web CLI',
    '',
    'Usage: npm run cli -- <command> [options]',
    '       npm run cli -- <command> --help',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  Show this list`,
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    console.error(`Unknown command "${name}".\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(cmd.usage);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    const err = e as Error;
    console.error(`${err.name ?? 'Error'}: ${err.message}`);
    return err.name === 'UsageError' ? 2 : 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);
