import { repositoryContract } from '../../src/testing/index.js';
import { describePostgres, openStore } from './stores.js';

describePostgres('PostgreSQL', () => {
  repositoryContract('TypeOrmRepository (postgres)', () => openStore('postgres'));
});
