// Module resolution hooks for child processes of the TypeORM 1.x test run (registered by
// register.mjs): `typeorm`, imported from kokugen's code, resolves to this folder's install
// instead of the project's own TypeORM 0.3. What TypeORM then loads (better-sqlite3, pg) resolves
// from here as usual, which finds the project's own drivers up the tree.
const here = new URL('./', import.meta.url).href;
const redirected = /^typeorm(\/|$)/;

export async function resolve(specifier, context, nextResolve) {
  if (redirected.test(specifier) && !(context.parentURL ?? '').startsWith(here)) {
    return nextResolve(specifier, { ...context, parentURL: new URL('package.json', here).href });
  }
  return nextResolve(specifier, context);
}
