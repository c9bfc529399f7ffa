/** A CodeFeedback row and what the official download.py process() makes of it (computed with Python). */
export const CODE_FEEDBACK_ROW = {
  query: 'Sort a list &amp; return it.\r\n\tKeep &lt;stable&gt;.',
  answer: '  Here:\r\n```python\ndef f(xs):\r\n\treturn sorted(xs)  # a &lt; b\n```\n\n',
  resource: 'evol',
  lang: 'python',
};
export const CODE_FEEDBACK_RECORD = {
  messages: [
    { role: 'user', content: [{ type: 'text', content: 'Sort a list & return it.\r\n\tKeep <stable>.' }] },
    {
      role: 'assistant',
      content: [{ type: 'text', content: 'Here:\n```python\ndef f(xs):\n    return sorted(xs)  # a < b\n```' }],
    },
  ],
  type: 'generation',
};
