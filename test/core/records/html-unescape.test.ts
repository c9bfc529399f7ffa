import { describe, expect, it } from 'vitest';
import { htmlUnescape } from '../../../src/core/records/html-unescape.ts';

/** Input → Python 3.11 html.unescape(input), computed with Python. */
const PYTHON: [string, string][] = [
  ['a &amp; b', 'a & b'],
  ['&lt;div&gt;', '<div>'],
  ['&ampfoo', '&foo'],
  ['&amp', '&'],
  ['&#65;&#x42;&#X43', 'ABC'],
  ['&#128;', '\u20ac'],
  ['&#0;', '\ufffd'],
  ['&#13;x', '\rx'],
  ['&#xD800;', '\ufffd'],
  ['&#1114112;', '\ufffd'],
  ['&#99999999999999999999;', '\ufffd'],
  ['&#1;', ''],
  ['&#x7f;', ''],
  ['&#xFFFE;', ''],
  ['&notit;', '\u00acit;'],
  ['&notin;', '\u2209'],
  ['&NotEqualTilde;', '\u2242\u0338'],
  ['&nbsp', '\u00a0'],
  ['&nosuch;', '&nosuch;'],
  ['AT&T & co', 'AT&T & co'],
  ['&;', '&;'],
  ['&#;', '&#;'],
  ['&#x;', '&#x;'],
  ['&copy2024', '\u00a92024'],
  ['&Eacute;t&eacute;', '\u00c9t\u00e9'],
  ['&\ud83d\ude00;', '&\ud83d\ude00;'],
  ['&ab', '&ab'],
  ['if a &lt; b &amp;&amp; c:\r\n\treturn', 'if a < b && c:\r\n\treturn'],
  ['&#x1F600;', '\ud83d\ude00'],
  ['&#0000065;', 'A'],
  ['&#x10FFFF;', ''],
  ['&#x0001F600', '\ud83d\ude00'],
  ['&lt&gt', '<>'],
  ['no entities', 'no entities'],
];

describe('htmlUnescape = Python html.unescape', () => {
  it.each(PYTHON.map(([a, b], i) => [i, a, b] as const))('case %i: %j', (_i, input, want) => {
    expect(htmlUnescape(input)).toBe(want);
  });
});
