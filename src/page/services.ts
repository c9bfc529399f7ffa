/**
 * The services the page runs in its own thread (the heavy ones run in workers behind src/ui/bridge.ts):
 * HumanEval scoring over the page's check pool, the reflection builder's chat models, the experiment table.
 */
export {
  DEFAULT_DECODING,
  evaluateProblems,
  SAMPLING_DECODING,
  summarize,
  validateDecoding,
  type CompletionGenerator,
} from '../services/eval/evaluate.ts';
export { textGenerator } from '../services/eval/text-generator.ts';
export { scoreSamples } from '../services/eval/score-samples.ts';
export { OpenAIChatModel } from '../services/reflect/openai.ts';
export { ScriptedChatModel, turnsFromBlocks } from '../services/reflect/scripted.ts';
export type { ExperimentEvent, ExperimentResult } from '../services/experiment/runner.ts';
export { tableRows, type TableRow } from '../services/experiment/stats.ts';
export { rowOrder, TABLE2_VARIANTS, variantsByName } from '../services/experiment/variants.ts';
export type { ExperimentWorkerApi } from '../services/experiment/worker-api.ts';
