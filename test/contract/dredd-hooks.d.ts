/** Dredd injects `hooks` into the hooks file it loads; it is not a package of its own. */
declare module 'hooks' {
  const hooks: import('./hooks-types.js').DreddHooks;
  export = hooks;
}
