/**
 * A table from ids to values for what fills and empties with every message (the calls waiting
 * for replies). A Map would do, but a Map that takes and drops entries at a steady size still
 * re-tables itself every few dozen of them, and each old table, soon in old space, keeps the
 * entries it held alive until the next full GC: young values are promoted by the thousand (most
 * of what full GCs collected on memory://, bench/README.md). Here, open addressing in two arrays
 * replaced only when the table grows (never shrunk: it keeps its peak size), and deletion by
 * backward shift: a dropped entry leaves no reference behind. @internal
 */
export class IdTable<V> {
  private keys: (string | undefined)[];
  private values: (V | undefined)[];
  private mask: number;
  /** How many entries it holds. */
  size = 0;

  constructor(capacity = 64) {
    const slots = 2 ** Math.ceil(Math.log2(Math.max(8, capacity * 2)));
    this.keys = new Array(slots).fill(undefined);
    this.values = new Array(slots).fill(undefined);
    this.mask = slots - 1;
  }

  get(key: string): V | undefined {
    const { keys, mask } = this;
    for (let i = hash(key) & mask; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === undefined) return undefined;
      if (k === key) return this.values[i];
    }
  }

  set(key: string, value: V): void {
    // At most half full, so a probe ends soon at an empty slot.
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const { keys, mask } = this;
    let i = hash(key) & mask;
    for (; keys[i] !== undefined; i = (i + 1) & mask) {
      if (keys[i] === key) {
        this.values[i] = value;
        return;
      }
    }
    keys[i] = key;
    this.values[i] = value;
    this.size++;
  }

  /** Removes `key`'s entry; false when there was none. */
  delete(key: string): boolean {
    const { keys, values, mask } = this;
    let i = hash(key) & mask;
    for (; keys[i] !== key; i = (i + 1) & mask) if (keys[i] === undefined) return false;
    // Moves back each later entry of the run that would no longer be found past the emptied slot.
    for (let j = (i + 1) & mask; keys[j] !== undefined; j = (j + 1) & mask) {
      const home = hash(keys[j] as string) & mask;
      const reachable = i <= j ? i < home && home <= j : i < home || home <= j;
      if (reachable) continue;
      keys[i] = keys[j];
      values[i] = values[j];
      i = j;
    }
    keys[i] = undefined;
    values[i] = undefined;
    this.size--;
    return true;
  }

  /** Every entry as it is now, in no particular order: the table may change while they are visited. */
  entriesNow(): [string, V][] {
    const found: [string, V][] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== undefined) found.push([this.keys[i] as string, this.values[i] as V]);
    return found;
  }

  /** Empties the table. */
  clear(): void {
    this.keys.fill(undefined);
    this.values.fill(undefined);
    this.size = 0;
  }

  private grow(): void {
    const { keys, values } = this;
    const slots = keys.length * 2;
    this.keys = new Array(slots).fill(undefined);
    this.values = new Array(slots).fill(undefined);
    this.mask = slots - 1;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== undefined) this.set(keys[i] as string, values[i] as V);
  }
}

/** FNV-1a over an id's last 8 characters: where the ids of one process differ (a counter), and random in oslo's. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = Math.max(0, key.length - 8); i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
