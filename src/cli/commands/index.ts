import type { CliCommand } from '../command.ts';
import { backendsCommand } from './backends.ts';
import { evaluateCommand } from './evaluate.ts';
import { experimentCommand } from './experiment.ts';
import { exportCommand } from './export.ts';
import { finetuneCommand } from './finetune.ts';
import { generateCommand } from './generate.ts';
import { importCommand } from './import.ts';
import { pythonCommand } from './python.ts';
import { reflectCommand } from './reflect.ts';
import { tokenizeCommand } from './tokenize.ts';
import { trainCommand } from './train.ts';

/** Every CLI command, in the order `--help` lists them. Add new commands here. */
export const commands: CliCommand[] = [
  backendsCommand,
  generateCommand,
  importCommand,
  trainCommand,
  finetuneCommand,
  evaluateCommand,
  experimentCommand,
  pythonCommand,
  reflectCommand,
  tokenizeCommand,
  exportCommand,
];
