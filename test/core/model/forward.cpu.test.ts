import { forwardSuite } from './forward-suite.ts';

forwardSuite('cpu');
