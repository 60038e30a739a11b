/**
 * Shell-style globs as Python's `fnmatch` reads them, which is how oslo's routing driver matches
 * event types: `*` any run of characters (dots included), `?` one character, `[abc]` and
 * `[a-z]` a set, `[!abc]` its complement. The whole name must match; case counts.
 * @internal
 */

export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      // A set runs to the next ']' that is not its first character; without one, '[' is literal.
      let j = i + 1;
      if (glob[j] === '!') j++;
      if (glob[j] === ']') j++;
      while (j < glob.length && glob[j] !== ']') j++;
      if (j >= glob.length) {
        source += '\\[';
        continue;
      }
      let set = glob
        .slice(i + 1, j)
        .replaceAll('\\', '\\\\')
        .replaceAll(']', '\\]');
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      else if (set.startsWith('^')) set = `\\${set}`;
      source += `[${set}]`;
      i = j;
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^(?:${source})$`, 's');
}

/** @internal */
export function fnmatch(name: string, glob: string): boolean {
  return globToRegExp(glob).test(name);
}
