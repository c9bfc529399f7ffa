/**
 * Built-in demo / smoke records (`train --preset smoke`, the Train panel's "demo data"), written for
 * this project: small original Python problems in the released ReflectionSeq schema. Each
 * reflection record follows the paper's loop — code with asserts, a failing execution (the Jupyter
 * traceback that running that code prints: test/core/data/demo-records-python.test.ts compares
 * each one byte for byte with the project's Pyodide service), an analysis, the fixed code, an empty
 * execution (it passed), a closing analysis — then the re-answer instruction (the plain problem, docs/METHOD.md §3) and the final answer
 * in a ```python fence. Generation records are plain instruction → answer pairs.
 */
import type { ReflectionRecord } from '../records/schema.ts';
import { jupyterTraceback, lineOf, reflectionInstruction } from './prompts.ts';

export interface DemoProblem {
  problem: string;
  /** The first, wrong solution (function only). */
  buggy: string;
  /** The corrected solution (function only) — also the final answer. */
  fixed: string;
  /** assert lines run after the solution. */
  tests: string;
  /** Where running buggy + tests fails: the failing top-level line, and optionally the line inside the function. */
  failure: { at: string; inner?: { fn: string; at: string }; error: string; message: string };
  analysis: string;
  closing: string;
}

export const DEMO_PROBLEMS: DemoProblem[] = [
  {
    problem:
      'Write a function `count_vowels(s)` that returns how many vowels (a, e, i, o, u) the string contains, in either case.',
    buggy: 'def count_vowels(s):\n    return sum(1 for ch in s if ch in "aeiou")',
    fixed: 'def count_vowels(s):\n    return sum(1 for ch in s.lower() if ch in "aeiou")',
    tests:
      'assert count_vowels("banana") == 3\nassert count_vowels("") == 0\nassert count_vowels("HELLO") == 2\nassert count_vowels("rhythm") == 0',
    failure: { at: 'assert count_vowels("HELLO") == 2', error: 'AssertionError', message: '' },
    analysis:
      'The test `count_vowels("HELLO") == 2` failed. The function compares each character with the lowercase vowels only, so the uppercase `E` and `O` are not counted. Lowering the string before the comparison makes the check case-insensitive.',
    closing: 'All tests pass now, including the uppercase input. `count_vowels` counts vowels regardless of case.',
  },
  {
    problem:
      'Write a function `second_largest(nums)` that returns the second largest distinct value of a list of integers, or None if there is no such value.',
    buggy:
      'def second_largest(nums):\n    ordered = sorted(nums, reverse=True)\n    if len(ordered) < 2:\n        return None\n    return ordered[1]',
    fixed:
      'def second_largest(nums):\n    ordered = sorted(set(nums), reverse=True)\n    if len(ordered) < 2:\n        return None\n    return ordered[1]',
    tests:
      'assert second_largest([4, 1, 3]) == 3\nassert second_largest([7]) is None\nassert second_largest([5, 5, 2]) == 2\nassert second_largest([2, 2]) is None',
    failure: { at: 'assert second_largest([5, 5, 2]) == 2', error: 'AssertionError', message: '' },
    analysis:
      'The assertion for `[5, 5, 2]` failed: the function returned 5. Sorting keeps duplicates, so the second element of the sorted list is the repeated maximum rather than the second distinct value. Removing duplicates with `set` before sorting fixes this, and it also makes `[2, 2]` return None.',
    closing:
      'Every test passes, including the lists with repeated values. The function now returns the second largest distinct value.',
  },
  {
    problem:
      'Write a function `mean(xs)` that returns the arithmetic mean of a list of numbers, and 0 for an empty list.',
    buggy: 'def mean(xs):\n    """Average of a list of numbers."""\n    return sum(xs) / len(xs)',
    fixed:
      'def mean(xs):\n    """Average of a list of numbers."""\n    if not xs:\n        return 0\n    return sum(xs) / len(xs)',
    tests: 'assert mean([1, 2, 3]) == 2\nassert mean([]) == 0\nassert mean([2.5, 3.5]) == 3.0',
    failure: {
      at: 'assert mean([]) == 0',
      inner: { fn: 'mean(xs)', at: 'return sum(xs) / len(xs)' },
      error: 'ZeroDivisionError',
      message: 'division by zero',
    },
    analysis:
      'Calling `mean([])` raised a ZeroDivisionError: for an empty list `len(xs)` is 0 and the division fails before anything is returned. The problem asks for 0 in that case, so the function should check for an empty list first.',
    closing: 'The empty list now returns 0 and the other averages are unchanged; all tests pass.',
  },
  {
    problem:
      'Write a function `is_leap_year(year)` that tells whether a year of the Gregorian calendar is a leap year.',
    buggy: 'def is_leap_year(year):\n    return year % 4 == 0',
    fixed: 'def is_leap_year(year):\n    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)',
    tests:
      'assert is_leap_year(2024) is True\nassert is_leap_year(2023) is False\nassert is_leap_year(1900) is False\nassert is_leap_year(2000) is True',
    failure: { at: 'assert is_leap_year(1900) is False', error: 'AssertionError', message: '' },
    analysis:
      'The test for 1900 failed. Divisibility by 4 is not the whole rule: century years are leap years only when they are divisible by 400, so 1900 is not a leap year while 2000 is. I will add the century exception.',
    closing: 'The corrected rule handles ordinary years, century years and years divisible by 400; all tests pass.',
  },
  {
    problem:
      'Write a function `chunk(items, size)` that splits a list into consecutive pieces of length `size`; the last piece may be shorter.',
    buggy: 'def chunk(items, size):\n    return [items[i:i + size] for i in range(0, len(items) - size + 1, size)]',
    fixed: 'def chunk(items, size):\n    return [items[i:i + size] for i in range(0, len(items), size)]',
    tests:
      'assert chunk([1, 2, 3, 4], 2) == [[1, 2], [3, 4]]\nassert chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]\nassert chunk([], 3) == []',
    failure: { at: 'assert chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]', error: 'AssertionError', message: '' },
    analysis:
      'The second assertion failed because the last, shorter piece `[5]` is missing. The range stops at `len(items) - size + 1`, which only admits start positions of complete pieces. Letting the range run to `len(items)` keeps the partial piece, since slicing past the end is safe.',
    closing:
      'The trailing partial piece is now included and the empty list still gives an empty result; all tests pass.',
  },
  {
    problem:
      'Write a function `reverse_words(sentence)` that returns the words of a sentence in reverse order, separated by single spaces, ignoring extra whitespace.',
    buggy: 'def reverse_words(sentence):\n    return " ".join(reversed(sentence.split(" ")))',
    fixed: 'def reverse_words(sentence):\n    return " ".join(reversed(sentence.split()))',
    tests:
      'assert reverse_words("hello world") == "world hello"\nassert reverse_words("  one   two ") == "two one"\nassert reverse_words("") == ""',
    failure: { at: 'assert reverse_words("  one   two ") == "two one"', error: 'AssertionError', message: '' },
    analysis:
      'The input with repeated spaces failed. `split(" ")` produces empty strings for every extra space, and those empty words are joined back as additional spaces. Calling `split()` without an argument splits on runs of whitespace and drops leading and trailing blanks.',
    closing: 'Extra whitespace is now ignored and all tests pass.',
  },
  {
    problem:
      'Write a function `fizzbuzz(n)` that returns "Fizz" for multiples of 3, "Buzz" for multiples of 5, "FizzBuzz" for multiples of both, and the number as a string otherwise.',
    buggy:
      'def fizzbuzz(n):\n    if n % 3 == 0:\n        return "Fizz"\n    if n % 5 == 0:\n        return "Buzz"\n    if n % 15 == 0:\n        return "FizzBuzz"\n    return str(n)',
    fixed:
      'def fizzbuzz(n):\n    if n % 15 == 0:\n        return "FizzBuzz"\n    if n % 3 == 0:\n        return "Fizz"\n    if n % 5 == 0:\n        return "Buzz"\n    return str(n)',
    tests:
      'assert fizzbuzz(9) == "Fizz"\nassert fizzbuzz(10) == "Buzz"\nassert fizzbuzz(30) == "FizzBuzz"\nassert fizzbuzz(7) == "7"',
    failure: { at: 'assert fizzbuzz(30) == "FizzBuzz"', error: 'AssertionError', message: '' },
    analysis:
      'For 30 the function returned "Fizz". The checks run in order and 30 is a multiple of 3, so the first branch returns before the multiple-of-15 case is ever reached. The combined case has to be tested first.',
    closing: 'With the multiple-of-15 check first, every case returns the expected string; all tests pass.',
  },
  {
    problem:
      'Write a function `digit_sum(n)` that returns the sum of the decimal digits of an integer; the sign of a negative number is ignored.',
    buggy: 'def digit_sum(n):\n    total = 0\n    for ch in str(n):\n        total += int(ch)\n    return total',
    fixed: 'def digit_sum(n):\n    total = 0\n    for ch in str(abs(n)):\n        total += int(ch)\n    return total',
    tests: 'assert digit_sum(123) == 6\nassert digit_sum(0) == 0\nassert digit_sum(-45) == 9',
    failure: {
      at: 'assert digit_sum(-45) == 9',
      inner: { fn: 'digit_sum(n)', at: 'total += int(ch)' },
      error: 'ValueError',
      message: "invalid literal for int() with base 10: '-'",
    },
    analysis:
      'The negative input raised a ValueError: `str(-45)` starts with the character `-`, which `int` cannot convert. Taking the absolute value before converting to a string removes the sign and leaves only digits.',
    closing: 'Negative numbers are handled and the sums are correct; all tests pass.',
  },
  {
    problem:
      'Write a function `binary_search(sorted_items, target)` that returns the index of `target` in a sorted list, or -1 if it is absent.',
    buggy:
      'def binary_search(sorted_items, target):\n    lo, hi = 0, len(sorted_items) - 1\n    while lo < hi:\n        mid = (lo + hi) // 2\n        if sorted_items[mid] == target:\n            return mid\n        if sorted_items[mid] < target:\n            lo = mid + 1\n        else:\n            hi = mid - 1\n    return -1',
    fixed:
      'def binary_search(sorted_items, target):\n    lo, hi = 0, len(sorted_items) - 1\n    while lo <= hi:\n        mid = (lo + hi) // 2\n        if sorted_items[mid] == target:\n            return mid\n        if sorted_items[mid] < target:\n            lo = mid + 1\n        else:\n            hi = mid - 1\n    return -1',
    tests:
      'assert binary_search([1, 3, 5, 7], 3) == 1\nassert binary_search([1, 3, 5, 7], 7) == 3\nassert binary_search([1, 3, 5, 7], 4) == -1\nassert binary_search([], 1) == -1',
    failure: { at: 'assert binary_search([1, 3, 5, 7], 7) == 3', error: 'AssertionError', message: '' },
    analysis:
      'Searching for the last element returned -1. With `hi` pointing at the last valid index, the loop condition `lo < hi` stops as soon as the range narrows to one element, so that element is never compared. The loop must continue while `lo <= hi`.',
    closing:
      'The search now examines single-element ranges and finds the first, last and missing elements correctly; all tests pass.',
  },
  {
    problem: 'Write a function `compress(s)` that run-length encodes a string, e.g. "aaab" becomes "a3b1".',
    buggy:
      'def compress(s):\n    out = []\n    count = 1\n    for i in range(1, len(s)):\n        if s[i] == s[i - 1]:\n            count += 1\n        else:\n            out.append(s[i - 1] + str(count))\n            count = 1\n    return "".join(out)',
    fixed:
      'def compress(s):\n    if not s:\n        return ""\n    out = []\n    count = 1\n    for i in range(1, len(s)):\n        if s[i] == s[i - 1]:\n            count += 1\n        else:\n            out.append(s[i - 1] + str(count))\n            count = 1\n    out.append(s[-1] + str(count))\n    return "".join(out)',
    tests: 'assert compress("aaab") == "a3b1"\nassert compress("") == ""\nassert compress("abc") == "a1b1c1"',
    failure: { at: 'assert compress("aaab") == "a3b1"', error: 'AssertionError', message: '' },
    analysis:
      'The very first test failed: the result was "a3" without the final run. A run is only written when the next character differs, so the last run is never appended after the loop ends. I will append it after the loop, and return an empty string early for empty input so that `s[-1]` is safe.',
    closing: 'The final run is written and the empty string is handled; all tests pass.',
  },
];

/** Plain instruction → answer pairs (trained with next-token loss only). */
export const DEMO_GENERATION: { instruction: string; answer: string }[] = [
  {
    instruction: 'Write a Python function `is_even(n)` that returns True when the integer n is even.',
    answer: 'def is_even(n):\n    return n % 2 == 0',
  },
  {
    instruction: 'Write a Python function `factorial(n)` that returns n! for a non-negative integer n.',
    answer: 'def factorial(n):\n    result = 1\n    for k in range(2, n + 1):\n        result *= k\n    return result',
  },
  {
    instruction:
      'Write a Python function `flatten(nested)` that turns a list of lists into one flat list, keeping the order.',
    answer: 'def flatten(nested):\n    return [x for inner in nested for x in inner]',
  },
  {
    instruction:
      'Write a Python function `word_count(text)` that returns a dictionary mapping each lowercase word to how many times it occurs.',
    answer:
      'def word_count(text):\n    counts = {}\n    for word in text.lower().split():\n        counts[word] = counts.get(word, 0) + 1\n    return counts',
  },
  {
    instruction:
      'Write a Python function `gcd(a, b)` that returns the greatest common divisor of two non-negative integers.',
    answer: 'def gcd(a, b):\n    while b:\n        a, b = b, a % b\n    return a',
  },
  {
    instruction:
      'Write a Python function `celsius_to_fahrenheit(c)` that converts a temperature from Celsius to Fahrenheit.',
    answer: 'def celsius_to_fahrenheit(c):\n    return c * 9 / 5 + 32',
  },
];

const fence = (code: string): string => '```python\n' + code + '\n```';

/** The code block run in the first iteration (buggy solution + tests) and in the retest. */
export function attemptCode(p: DemoProblem, which: 'buggy' | 'fixed'): string {
  return which === 'buggy'
    ? `${p.buggy}\n\n# Test cases\n${p.tests}`
    : `${p.fixed}\n\n# Retesting with the original test cases\n${p.tests}`;
}

export function demoReflectionRecord(p: DemoProblem): ReflectionRecord {
  const code = attemptCode(p, 'buggy');
  const frames = [{ line: lineOf(code, p.failure.at) }];
  if (p.failure.inner)
    frames.push({ line: lineOf(code, p.failure.inner.at), fn: p.failure.inner.fn } as { line: number; fn: string });
  return {
    type: 'reflection',
    messages: [
      { role: 'user', content: [{ type: 'text', content: reflectionInstruction(p.problem) }] },
      {
        role: 'assistant',
        content: [
          { type: 'code', content: code },
          { type: 'execution', content: jupyterTraceback(code, frames, p.failure.error, p.failure.message) },
          { type: 'text', content: p.analysis },
          { type: 'code', content: attemptCode(p, 'fixed') },
          { type: 'execution', content: '' },
          { type: 'text', content: p.closing },
        ],
      },
      { role: 'user', content: [{ type: 'text', content: p.problem }] },
      { role: 'assistant', content: [{ type: 'text', content: fence(p.fixed) }] },
    ],
  };
}

/** All demo records: reflection records first, then generation records (the sampler shuffles). */
export function demoRecords(): ReflectionRecord[] {
  return [
    ...DEMO_PROBLEMS.map(demoReflectionRecord),
    ...DEMO_GENERATION.map((g): ReflectionRecord => ({
      type: 'generation',
      messages: [
        { role: 'user', content: [{ type: 'text', content: g.instruction }] },
        { role: 'assistant', content: [{ type: 'text', content: fence(g.answer) }] },
      ],
    })),
  ];
}
