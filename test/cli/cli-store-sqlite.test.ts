import { describe } from 'vitest';
import { storeSuite } from './store-suite.js';

describe('kokugen on SQLite', () => storeSuite('sqlite'));
