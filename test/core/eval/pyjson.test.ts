/** Python's json.loads → json.dumps round trip (expected strings produced by CPython 3.11's json module). */
import { describe, expect, it } from 'vitest';
import { dumpPyJson, parsePyJson, pyFloatRepr, PyJsonSyntaxError } from '../../../src/core/eval/pyjson.ts';

describe('Python-compatible JSON', () => {
  it('float repr as CPython prints it', () => {
    const cases: [number, string][] = [
      [1.0, '1.0'],
      [0.1, '0.1'],
      [1e-5, '1e-05'],
      [0.0001, '0.0001'],
      [1e16, '1e+16'],
      [1.5e16, '1.5e+16'],
      [123456789012345.6, '123456789012345.6'],
      [1e22, '1e+22'],
      [-2.5e-7, '-2.5e-07'],
      [3.14, '3.14'],
      [1e-320, '1e-320'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [100.0, '100.0'],
      [-0.0, '-0.0'],
      [1234567890123456.0, '1234567890123456.0'],
    ];
    for (const [x, want] of cases) expect(pyFloatRepr(x), String(x)).toBe(want);
  });

  it('loads then dumps like Python: key order, repeated keys, int vs float, NaN/Infinity, escapes, big ints', () => {
    const line =
      '{"a": 1, "b": [1.0, 2e3, -0, 1E400, NaN, "\\ud800é\\u0007"], "a": {"x": null, "y": true}, "big": 123456789012345678901234567890}';
    expect(dumpPyJson(parsePyJson(line))).toBe(
      '{"a": {"x": null, "y": true}, "b": [1.0, 2000.0, 0, Infinity, NaN, "\\ud800\\u00e9\\u0007"], "big": 123456789012345678901234567890}',
    );
  });

  it('refuses what json.loads refuses', () => {
    for (const bad of ['{"a": 1', '{"a": 1}}', '{"a": "x\ny"}', "{'a': 1}", '{"a": 01}', '']) {
      expect(() => parsePyJson(bad), bad).toThrow(PyJsonSyntaxError);
    }
  });
});
