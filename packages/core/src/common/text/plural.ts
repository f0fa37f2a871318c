/**
 * "1 thread", "2 threads", "0 passages": a count with its noun: the one way every screen and command
 * pluralises. `many` is for irregular nouns ("1 entry", "3 entries"); the default adds an "s".
 */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
