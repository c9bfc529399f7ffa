/**
 * Any OpenAI-compatible chat endpoint (`POST {baseUrl}/chat/completions`): OpenAI, vLLM, llama.cpp server,
 * Ollama. The API key is sent only in the Authorization header and never appears in errors or logs.
 */
import type { ChatMessage, ChatModel } from '../../api/reflect.ts';
import { ConfigError, GeneratorError } from '../../core/errors.ts';

export interface OpenAIConfig {
  /** e.g. 'http://127.0.0.1:8080/v1' (the part before /chat/completions). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  temperature?: number;
  maxTokens?: number;
  /** Per-request limit. Default 120 s. */
  timeoutMs?: number;
}

export function validateOpenAIConfig(raw: Partial<OpenAIConfig>): OpenAIConfig {
  const baseUrl = String(raw.baseUrl ?? '')
    .trim()
    .replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigError(
      `endpoint URL: expected an http(s) URL such as http://127.0.0.1:8080/v1, found ${JSON.stringify(baseUrl)}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`endpoint URL: expected http or https, found ${url.protocol}`);
  const model = String(raw.model ?? '').trim();
  if (!model) throw new ConfigError('model: expected a model name (e.g. gpt-4o-mini), found an empty string');
  const temperature = raw.temperature ?? 0.2;
  if (!(temperature >= 0 && temperature <= 2))
    throw new ConfigError(`temperature: expected 0..2, found ${temperature}`);
  const maxTokens = raw.maxTokens ?? 1024;
  if (!(Number.isInteger(maxTokens) && maxTokens > 0))
    throw new ConfigError(`maxTokens: expected a positive integer, found ${maxTokens}`);
  return {
    baseUrl,
    model,
    apiKey: raw.apiKey?.trim() || undefined,
    temperature,
    maxTokens,
    timeoutMs: raw.timeoutMs ?? 120_000,
  };
}

export class OpenAIChatModel implements ChatModel {
  readonly name: string;
  private readonly config: OpenAIConfig;

  constructor(
    config: Partial<OpenAIConfig>,
    private readonly fetchImpl: typeof fetch = (...a) => fetch(...a),
  ) {
    this.config = validateOpenAIConfig(config);
    this.name = `${this.config.model} @ ${new URL(this.config.baseUrl).host}`;
  }

  async complete(messages: ChatMessage[], opts: { signal?: AbortSignal } = {}): Promise<string> {
    const { baseUrl, model, apiKey, temperature, maxTokens, timeoutMs } = this.config;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
    const timeout = AbortSignal.timeout(timeoutMs ?? 120_000);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await this.fetchImpl(`${baseUrl}/chat/completions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model, messages, temperature, max_tokens: maxTokens }),
        signal,
      });
    } catch (e) {
      const err = e as Error;
      if (opts.signal?.aborted) throw err;
      throw new GeneratorError(
        `${baseUrl}/chat/completions could not be reached (${err.name}: ${err.message}). ` +
          'Check the URL, that the server is running, and that the page may connect to it (connect-src).',
      );
    }
    // A server may echo the request headers in an error body: never let the key into a message.
    const body = apiKey ? (await res.text()).split(apiKey).join('***') : await res.text();
    if (!res.ok) {
      throw new GeneratorError(`${baseUrl}/chat/completions answered HTTP ${res.status}: ${body.slice(0, 300)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new GeneratorError(
        `${baseUrl}/chat/completions: expected JSON, found ${JSON.stringify(body.slice(0, 120))}`,
      );
    }
    const content = (json as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
    if (typeof content !== 'string') {
      throw new GeneratorError(
        `${baseUrl}/chat/completions: expected choices[0].message.content to be a string, found ${JSON.stringify(json).slice(0, 200)}`,
      );
    }
    return content;
  }
}
