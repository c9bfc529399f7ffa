import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, GeneratorError } from '../../../src/core/errors.ts';
import { OpenAIChatModel } from '../../../src/services/reflect/openai.ts';

// A small OpenAI-compatible server on 127.0.0.1: records requests, answers by the model name.
interface Seen {
  url: string;
  auth?: string;
  body: { model: string; messages: { role: string; content: string }[]; temperature: number; max_tokens: number };
}
const seen: Seen[] = [];
let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}');
      seen.push({ url: req.url ?? '', auth: req.headers.authorization, body });
      if (body.model === 'needs-key' && req.headers.authorization !== 'Bearer sk-secret-123') {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: `bad key: ${req.headers.authorization}` }));
        return;
      }
      if (body.model === 'broken') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ choices: [] }));
        return;
      }
      const last = body.messages[body.messages.length - 1].content as string;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: `echo: ${last.slice(0, 20)}` } }] }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe('OpenAI-compatible chat model', () => {
  it('POSTs {baseUrl}/chat/completions with model, messages, temperature, max_tokens and the bearer key', async () => {
    const m = new OpenAIChatModel({
      baseUrl: base + '/',
      model: 'needs-key',
      apiKey: 'sk-secret-123',
      temperature: 0,
      maxTokens: 50,
    });
    const out = await m.complete([{ role: 'user', content: 'hello there' }]);
    expect(out).toBe('echo: hello there');
    const req = seen[seen.length - 1];
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.auth).toBe('Bearer sk-secret-123');
    expect(req.body).toEqual({
      model: 'needs-key',
      messages: [{ role: 'user', content: 'hello there' }],
      temperature: 0,
      max_tokens: 50,
    });
    expect(m.name).toBe(`needs-key @ ${new URL(base).host}`);
  });

  it('sends no Authorization header without a key', async () => {
    await new OpenAIChatModel({ baseUrl: base, model: 'plain' }).complete([{ role: 'user', content: 'x' }]);
    expect(seen[seen.length - 1].auth).toBeUndefined();
  });

  it('names HTTP errors and never puts the key in the message, even when the server echoes it', async () => {
    const m = new OpenAIChatModel({ baseUrl: base, model: 'needs-key', apiKey: 'sk-wrong-999' });
    const err = await m.complete([{ role: 'user', content: 'x' }]).catch((e: Error) => e);
    expect(err).toBeInstanceOf(GeneratorError);
    expect((err as Error).message).toMatch(/HTTP 401/);
    expect((err as Error).message).not.toContain('sk-wrong-999');
    expect((err as Error).message).toContain('***');
  });

  it('rejects a malformed answer, an unreachable server and a bad configuration', async () => {
    await expect(
      new OpenAIChatModel({ baseUrl: base, model: 'broken' }).complete([{ role: 'user', content: 'x' }]),
    ).rejects.toThrow(/choices\[0\]\.message\.content/);
    await expect(
      new OpenAIChatModel({ baseUrl: 'http://127.0.0.1:1/v1', model: 'm' }).complete([{ role: 'user', content: 'x' }]),
    ).rejects.toThrow(GeneratorError);
    expect(() => new OpenAIChatModel({ baseUrl: 'ftp://x', model: 'm' })).toThrow(ConfigError);
    expect(() => new OpenAIChatModel({ baseUrl: 'not a url', model: 'm' })).toThrow(/expected an http\(s\) URL/);
    expect(() => new OpenAIChatModel({ baseUrl: base, model: ' ' })).toThrow(/model/);
  });
});
