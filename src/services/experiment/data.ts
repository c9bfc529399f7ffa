/** The experiment's data from the three shipped JSONL texts (public/demo/), validated (all-or-nothing, docs/METHOD.md §1). */
import { DataFormatError } from '../../core/errors.ts';
import { checkRecordsJsonl } from '../../core/records/jsonl.ts';
import type { ExperimentData } from './single-run.ts';

export function parseExperimentData(texts: {
  instruction: string;
  reflection: string;
  validation: string;
}): ExperimentData {
  const parse = (name: string, text: string, type: 'generation' | 'reflection') => {
    const { records, errors } = checkRecordsJsonl(text);
    if (errors.length) throw new DataFormatError(`${name}: line ${errors[0]!.line}: ${errors[0]!.message}`);
    if (!records.length) throw new DataFormatError(`${name}: no records (run npm run make-data)`);
    const wrong = records.findIndex((r) => r.type !== type);
    if (wrong >= 0)
      throw new DataFormatError(`${name}: record ${wrong + 1} has type "${records[wrong]!.type}", expected "${type}"`);
    return records;
  };
  return {
    records: [
      ...parse('instruction.jsonl', texts.instruction, 'generation'),
      ...parse('reflection.jsonl', texts.reflection, 'reflection'),
    ],
    validation: parse('validation.jsonl', texts.validation, 'generation'),
  };
}
