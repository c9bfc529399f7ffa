import type { CliCommand } from '../command.ts';
import { generateCommand } from './generate.ts';

/** Every CLI command, in the order `--help` lists them. Add new commands here. */
export const commands: CliCommand[] = [generateCommand];
