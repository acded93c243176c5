package dev.tune.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TransfersTest {

  @Test
  void runsEveryTaskNeverMoreThanTheParallelismAtOnce() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    Set<Integer> ran = ConcurrentHashMap.newKeySet();
    List<Runnable> tasks = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      int n = i;
      tasks.add(
          () -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
              Thread.sleep(10);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            running.decrementAndGet();
            ran.add(n);
          });
    }

    Transfers.runAll(tasks, 3, "testing");

    assertThat(ran).hasSize(12);
    assertThat(most.get()).isBetween(1, 3);
  }

  @Test
  void aParallelismOfOneRunsOnTheCallingThreadInOrder() {
    List<String> threads = new ArrayList<>();
    List<Integer> order = new ArrayList<>();
    List<Runnable> tasks = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int n = i;
      tasks.add(
          () -> {
            threads.add(Thread.currentThread().getName());
            order.add(n);
          });
    }

    Transfers.runAll(tasks, 1, "testing");

    assertThat(order).containsExactly(0, 1, 2);
    assertThat(threads).containsOnly(Thread.currentThread().getName());
  }

  @Test
  void theFirstFailureIsThrownAsItWas() {
    IllegalStateException failure = new IllegalStateException("object 3 is damaged");
    List<Runnable> tasks = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      tasks.add(
          () -> {
            if (n == 3) {
              throw failure;
            }
          });
    }

    assertThatThrownBy(() -> Transfers.runAll(tasks, 4, "testing")).isSameAs(failure);
  }
}
