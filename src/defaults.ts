// Options objects take their defaults in one place per module: a constant naming each default, resolved
// once (in a constructor or factory) by withDefaults, so that no `?? <number>` hides in a method body.

/** The options a caller may leave out: each key of the defaults, possibly undefined. */
export type OptionsOver<D> = { [K in keyof D]?: D[K] | undefined };

/**
 * `defaults` with every option `given` set; an option given as undefined or null keeps its default, as
 * `??` would. Only the keys of `defaults` are read, so a caller's other options (callbacks) stay out.
 */
export function withDefaults<D extends object>(defaults: D, given: OptionsOver<D> = {}): D {
  const resolved = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof D)[]) {
    const value = given[key];
    if (value !== undefined && value !== null) resolved[key] = value as D[keyof D];
  }
  return resolved;
}
