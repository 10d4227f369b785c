import { Observable, type OperatorFunction } from 'rxjs';

/**
 * Windowing by size and time: emits the items gathered so far when their total size
 * reaches `maxSize`, or `maxWaitMs` after the first item of the window, whichever comes
 * first. RxJS's `bufferTime` counts items; the processor needs to count samples, since one
 * stream record may carry one sample or fifty thousand.
 */
export function bufferBySize<T>(sizeOf: (item: T) => number, maxSize: number, maxWaitMs: number): OperatorFunction<T, T[]> {
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let buffer: T[] = [];
      let size = 0;
      let timer: NodeJS.Timeout | undefined;
      const emit = (): void => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        if (buffer.length === 0) return;
        const out = buffer;
        buffer = [];
        size = 0;
        subscriber.next(out);
      };
      const subscription = source.subscribe({
        next(item) {
          buffer.push(item);
          size += sizeOf(item);
          if (size >= maxSize) emit();
          else if (!timer) timer = setTimeout(emit, maxWaitMs);
        },
        error(err: unknown) {
          subscriber.error(err);
        },
        complete() {
          emit();
          subscriber.complete();
        },
      });
      return () => {
        if (timer) clearTimeout(timer);
        subscription.unsubscribe();
      };
    });
}
