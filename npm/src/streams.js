// WHATWG stream glue.

/**
 * A ReadableStream of the values of an async iterator, pull-based: one `next()` per `read()`
 * (highWaterMark 0, so nothing is read ahead of the consumer). A failure of the iterator errors
 * the stream; cancelling the stream calls the iterator's `return()` (which cancels the request).
 */
export function iteratorToReadableStream(iterator) {
  return new ReadableStream(
    {
      async pull(controller) {
        let result;
        try {
          result = await iterator.next();
        } catch (error) {
          controller.error(error);
          return;
        }
        if (result.done) controller.close();
        else controller.enqueue(result.value);
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
