/** The training objectives (docs/METHOD.md §3), in a module without tfjs: the page validates run configs with it. */
export const OBJECTIVES = ['official', 'per-term'] as const;
export type Objective = (typeof OBJECTIVES)[number];
