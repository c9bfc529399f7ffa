/** What the experiment worker exposes (comlink): run the experiment on texts the page fetched, with the page's Python. */
import type { BackendChoice, BackendPreference } from '../../api/backend.ts';
import type { PythonChecker } from '../../api/python.ts';
import type { ExperimentEvent, ExperimentResult } from './runner.ts';

export interface ExperimentRequest {
  preset: 'smoke' | 'demo' | 'full';
  seeds: number[];
  variants: string[];
  backend: BackendPreference;
  data: { instruction: string; reflection: string; validation: string };
}

/** The page's Python service, as a comlink proxy (checks run in the page's sandboxed Pyodide workers). */
export type PythonRunner = PythonChecker;

export interface ExperimentWorkerApi {
  run(
    req: ExperimentRequest,
    python: PythonRunner,
    onEvent: (e: ExperimentEvent) => void,
  ): Promise<ExperimentResult & { backend: BackendChoice }>;
  /** Stops after the current training step or check; finished cells stay saved. */
  stop(): void;
}
