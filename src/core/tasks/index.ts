export * from './types.ts';
export {
  allTasks,
  generateTasks,
  hash32,
  splitOfKey,
  taskKey,
  toHumanEval,
  SEEN_TEMPLATES,
  UNSEEN_TEMPLATES,
  TASKS_VERSION,
} from './generate.ts';
export { pyRepr } from './pyrepr.ts';
