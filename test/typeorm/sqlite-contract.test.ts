import { repositoryContract } from '../../src/testing/index.js';
import { openStore } from './stores.js';

repositoryContract('TypeOrmRepository (sqlite)', () => openStore('sqlite'));
