import type { BackendChoice, BackendName, BackendPreference } from './backend.ts';

/** Result of one n×n matmul on the active backend, compared with the plain-JS cpu backend. */
export interface MatmulCheck {
  backend: BackendName;
  n: number;
  /** max |active - cpu| over the n×n product. */
  maxAbsDiff: number;
  /** Wall time of the active-backend matmul including the download of its result (first use compiles shaders). */
  ms: number;
  cpuMs: number;
}

/** The probe worker (workers/probe.worker.ts): backend selection where tfjs runs, and a correctness check. */
export interface ProbeApi {
  probe(pref: BackendPreference): Promise<BackendChoice>;
  matmulCheck(n: number, seed?: number): Promise<MatmulCheck>;
}
