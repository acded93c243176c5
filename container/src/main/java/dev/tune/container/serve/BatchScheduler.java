package dev.tune.container.serve;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups the sequences of concurrent requests into batches and decodes them, one batch at a time,
 * on its own thread: the first waiting sequence waits up to {@link BatchingOptions#maxWait()} for
 * others, up to {@link BatchingOptions#maxBatchSize()}. Sequences that arrive while a batch decodes
 * queue for the next one.
 */
public final class BatchScheduler implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BatchScheduler.class);

  private final BatchDecoder decoder;
  private final BatchingOptions options;
  private final int maxQueued;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Sequence> queue = new ArrayDeque<>();
  private final Thread worker;
  private boolean closed;

  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong sequences = new AtomicLong();
  private final AtomicLong tokens = new AtomicLong();
  private final AtomicInteger largestBatch = new AtomicInteger();

  /**
   * @param maxQueued the most sequences waiting for a batch; {@link #submit} refuses more
   */
  public BatchScheduler(BatchDecoder decoder, BatchingOptions options, int maxQueued) {
    this.decoder = decoder;
    this.options = options;
    this.maxQueued = maxQueued;
    this.worker = Thread.ofPlatform().name("tune-decoder").unstarted(this::work);
    worker.start();
  }

  /**
   * Queues every sequence of one request, or none of them.
   *
   * @throws ApiError 429 when the queue is full, 503 once the scheduler is closed
   */
  public void submit(List<Sequence> batch) {
    lock.lock();
    try {
      if (closed) {
        throw ApiError.unavailable("The server is shutting down and takes no new requests.");
      }
      if (queue.size() + batch.size() > maxQueued) {
        throw ApiError.tooManyRequests(
            "The server has "
                + queue.size()
                + " prompt(s) waiting, its limit is "
                + maxQueued
                + ". Retry later or send fewer prompts per request.");
      }
      queue.addAll(batch);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void work() {
    List<Sequence> batch;
    while ((batch = nextBatch()) != null) {
      try {
        int generated = decoder.decode(batch);
        tokens.addAndGet(generated);
      } catch (RuntimeException e) {
        LOG.error("Decoding a batch of {} sequence(s) failed", batch.size(), e);
      }
      batches.incrementAndGet();
      sequences.addAndGet(batch.size());
      largestBatch.accumulateAndGet(batch.size(), Math::max);
    }
  }

  /** The next batch to decode; null once closed and drained. */
  private List<Sequence> nextBatch() {
    lock.lock();
    try {
      while (queue.isEmpty()) {
        if (closed) {
          return null;
        }
        changed.awaitUninterruptibly();
      }
      long waitUntil = System.nanoTime() + options.maxWait().toNanos();
      while (queue.size() < options.maxBatchSize() && !closed) {
        long left = waitUntil - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          changed.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      List<Sequence> batch = new ArrayList<>();
      while (!queue.isEmpty() && batch.size() < options.maxBatchSize()) {
        batch.add(queue.poll());
      }
      return batch;
    } finally {
      lock.unlock();
    }
  }

  /** Batches decoded so far. */
  public long batches() {
    return batches.get();
  }

  /** Sequences decoded so far (in finished batches). */
  public long sequences() {
    return sequences.get();
  }

  /** Tokens generated so far (in finished batches). */
  public long generatedTokens() {
    return tokens.get();
  }

  /** The most sequences one batch has held. */
  public int largestBatch() {
    return largestBatch.get();
  }

  /** Sequences waiting for a batch. */
  public int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes no more sequences, decodes those already queued, and waits up to {@code timeout} for the
   * decoding thread to end.
   *
   * @return whether the decoding thread ended in time
   */
  public boolean close(Duration timeout) {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      return worker.join(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    close(Duration.ofMinutes(1));
  }
}
