/**
 * Sets `key` on `target` to a value computed on first read (then kept). Used for
 * sealed ticket fields: the queue reads every open ticket on each request for a
 * counsellor, but only ever shows the words that raised one or two of them, and
 * unsealing thousands of them per turn cost a third of the service's time under
 * load. Enumerable, so spreading or serialising the object reads it as usual.
 */
export function lazyField<T extends object, K extends string, V>(
  target: T,
  key: K,
  compute: () => V,
): T & Record<K, V> {
  let value: V | undefined;
  let done = false;
  return Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get() {
      if (!done) {
        value = compute();
        done = true;
      }
      return value;
    },
    set(next: V) {
      value = next;
      done = true;
    },
  }) as T & Record<K, V>;
}
