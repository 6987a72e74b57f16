import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../src/core/heap.js';

interface Item {
  key: number;
  id: number;
}

/** Few distinct keys, so that most comparisons are decided by the id (as the greedy's by server name). */
const byKeyThenId = (a: Item, b: Item) => a.key - b.key || a.id - b.id;

/** The queue the greedy kept before: a sorted array, inserted into at the lower bound, taken from the front. */
class SortedQueue {
  readonly items: Item[] = [];
  push(item: Item): void {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (byKeyThenId(this.items[mid], item) < 0) low = mid + 1;
      else high = mid;
    }
    this.items.splice(low, 0, item);
  }
  pop(): Item | undefined {
    return this.items.shift();
  }
}

describe('MinHeap', () => {
  it('gives items in the same order as a sorted queue, pushes and pops interleaved', () => {
    const operation = fc.oneof(fc.record({ push: fc.integer({ min: -3, max: 3 }) }), fc.constant({ pop: true }));
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 300 }), (operations) => {
        const heap = new MinHeap(byKeyThenId);
        const reference = new SortedQueue();
        const fromHeap: (Item | undefined)[] = [];
        const fromReference: (Item | undefined)[] = [];
        operations.forEach((op, id) => {
          if ('push' in op) {
            heap.push({ key: op.push, id });
            reference.push({ key: op.push, id });
          } else {
            fromHeap.push(heap.pop());
            fromReference.push(reference.pop());
          }
          expect(heap.size).toBe(reference.items.length);
        });
        while (heap.size > 0) fromHeap.push(heap.pop());
        while (reference.items.length > 0) fromReference.push(reference.pop());
        expect(fromHeap).toEqual(fromReference);
      }),
      { numRuns: 300 },
    );
  });

  it('pops undefined when empty', () => {
    const heap = new MinHeap(byKeyThenId);
    expect(heap.pop()).toBeUndefined();
    heap.push({ key: 1, id: 1 });
    expect(heap.pop()).toEqual({ key: 1, id: 1 });
    expect(heap.pop()).toBeUndefined();
  });
});
