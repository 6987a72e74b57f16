/**
 * A binary min-heap: O(log n) push and pop. With a strict total order (no two items compare
 * equal) items come out in exactly the order a sorted list would give them, whatever the order
 * they went in.
 */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    let index = items.length;
    items.push(item);
    while (index > 0) {
      const parent = (index - 1) >>> 1;
      if (this.compare(item, items[parent]) >= 0) break;
      items[index] = items[parent];
      index = parent;
    }
    items[index] = item;
  }

  /** The least item, removed; undefined when empty. */
  pop(): T | undefined {
    const items = this.items;
    if (items.length <= 1) return items.pop();
    const top = items[0];
    const last = items.pop() as T;
    const count = items.length;
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= count) break;
      if (child + 1 < count && this.compare(items[child + 1], items[child]) < 0) child++;
      if (this.compare(items[child], last) >= 0) break;
      items[index] = items[child];
      index = child;
    }
    items[index] = last;
    return top;
  }
}
