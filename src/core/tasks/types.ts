/**
 * The generated task family (issue 11): small Python function problems built from templates with parameters.
 * A task's identity is its template and parameters (`key`); names (function, argument) and test inputs vary
 * with the seed and are not part of the identity, so "the same task up to renaming" is "the same key".
 */
import type { Rng } from '../rng.ts';

/** A value a task function takes or returns, written as a Python literal by pyRepr. */
export type PyValue = number | string | boolean | null | PyValue[] | PyDict;
/** A Python dict with string keys, in insertion order. */
export interface PyDict {
  dict: [string, PyValue][];
}

export type Family = 'lists' | 'strings' | 'arithmetic' | 'dicts';

/** Mistake kinds of the scripted coder's catalogue (issue 11). */
export type MistakeKind =
  'off-by-one' | 'wrong-comparison' | 'missed-edge-case' | 'wrong-initial-value' | 'wrong-return-type' | 'exception';

/** A realistic wrong first attempt: full function source, and the cause / fix an analysis names. */
export interface Mistake {
  kind: MistakeKind;
  code: string;
  cause: string;
  fix: string;
}

export interface Names {
  fn: string;
  args: string[];
}

/** Template parameters: a plain record; `key` is its canonical, name-free identity. */
export interface Params {
  key: string;
  [k: string]: unknown;
}

export interface Template<P extends Params = Params> {
  id: string;
  family: Family;
  /** Every parameter combination, in a fixed order. */
  params(): P[];
  /** Function-name synonyms and, per argument, argument-name choices. */
  names(p: P): { fn: string[]; args: string[][] };
  /** The English instruction (one or two sentences; argument names in backticks). */
  describe(p: P, n: Names): string;
  /** Reference solution: the whole function. */
  solution(p: P, n: Names): string;
  /** The reference result in JS (mirrors Python semantics). */
  ref(p: P, args: PyValue[]): PyValue;
  /** Test inputs: edge cases first, then random ones; ≥ 5 argument tuples. */
  inputs(p: P, rng: Rng): PyValue[][];
  /** Catalogue of wrong first attempts that fit this template. */
  mistakes(p: P, n: Names): Mistake[];
}

export type Split = 'instruction-train' | 'reflection-train' | 'validation' | 'test-seen' | 'test-unseen';
export const SPLITS: readonly Split[] = [
  'instruction-train',
  'reflection-train',
  'validation',
  'test-seen',
  'test-unseen',
];
export const TRAINING_SPLITS: readonly Split[] = ['instruction-train', 'reflection-train'];

export interface Task {
  /** Stable identity: `<template>/<params>`; equal keys = the same task up to renaming. */
  key: string;
  template: string;
  family: Family;
  split: Split;
  params: Params;
  /** The English instruction. */
  instruction: string;
  /** `def name(args):` */
  signature: string;
  entryPoint: string;
  /** HumanEval-style prompt: signature + docstring holding the instruction. */
  prompt: string;
  /** The reference solution (whole function). */
  solution: string;
  /** One `assert name(...) == ...` per line (≥ 5, edge cases first). */
  asserts: string[];
  mistakes: Mistake[];
}
