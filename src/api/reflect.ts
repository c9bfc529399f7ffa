/**
 * Reflection-sequence construction (paper §3.1, App. A; docs/METHOD.md §6): plain-data types shared by the loop
 * (src/core/reflect/), the generators (src/services/reflect/) and the Reflect panel.
 */
export type * from '../core/reflect/types.ts';
