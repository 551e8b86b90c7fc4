// `node --import <this file>`: runs the process with `typeorm` resolved to TypeORM 1.x (hooks.mjs).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
