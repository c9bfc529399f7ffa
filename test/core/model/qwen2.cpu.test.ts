import { qwen2Suite } from './qwen2-suite.ts';

qwen2Suite('cpu');
