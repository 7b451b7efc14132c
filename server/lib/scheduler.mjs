// One shared timer for every open stream.
//
// With 10,000 slow streams at ~20 events/s each, a setTimeout per event would allocate
// 200,000 Timeout objects a second. Instead a task (any object with an `onTimer()` method,
// in practice the stream itself) is put into a bucket keyed by its due millisecond; a
// min-heap of the distinct due times arms a single native timer for the earliest one.
// Cancelling is O(1): the task's `dueAt` no longer matches its bucket, so it is skipped.
// Delays of 0 run on the next setImmediate turn, so pace_ms=0 still yields to I/O between
// events instead of writing a whole body inside one callback.

const buckets = new Map(); // due time (whole ms on the monotonic clock) -> tasks
const heap = []; // distinct due times, min-heap
let timer = null;
let timerDue = Infinity;
let immediate = [];
let immediateArmed = false;

/** Milliseconds on a monotonic clock (wall-clock steps must not stall or burst streams). */
export function now() {
  return performance.now();
}

/** Runs `task.onTimer()` after `delayMs`; replaces any earlier schedule of `task`. */
export function schedule(task, delayMs) {
  if (delayMs <= 0) {
    task.dueAt = 0;
    immediate.push(task);
    if (!immediateArmed) {
      immediateArmed = true;
      setImmediate(runImmediate);
    }
    return;
  }
  const due = Math.ceil(now() + delayMs);
  task.dueAt = due;
  let bucket = buckets.get(due);
  if (bucket === undefined) {
    bucket = [];
    buckets.set(due, bucket);
    heapPush(due);
  }
  bucket.push(task);
  if (due < timerDue) arm(due);
}

/** Forgets a pending schedule of `task` (no-op when none). */
export function cancel(task) {
  task.dueAt = -1;
}

function runImmediate() {
  immediateArmed = false;
  const batch = immediate;
  immediate = [];
  for (const task of batch) {
    if (task.dueAt !== 0) continue;
    task.dueAt = -1;
    task.onTimer();
  }
}

function arm(due) {
  if (timer !== null) clearTimeout(timer);
  timerDue = due;
  timer = setTimeout(fire, Math.max(0, due - now()));
  // The listening server keeps the process alive; a stale timer must not.
  timer.unref();
}

function fire() {
  timer = null;
  timerDue = Infinity;
  const time = now();
  while (heap.length > 0 && heap[0] <= time) {
    const due = heapPop();
    const bucket = buckets.get(due);
    buckets.delete(due);
    for (const task of bucket) {
      if (task.dueAt !== due) continue; // cancelled or rescheduled
      task.dueAt = -1;
      task.onTimer();
    }
  }
  if (heap.length > 0) arm(heap[0]);
}

function heapPush(value) {
  let i = heap.push(value) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent] <= value) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = value;
}

function heapPop() {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0) {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right] < heap[left] ? right : left;
      if (heap[child] >= last) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
  }
  return top;
}
