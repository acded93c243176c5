package dev.tune.trainer.train;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A test class whose arrays live in a fresh {@link NDManager} for each test, closed after it, so
 * that no test sees another's arrays and native memory goes back after every test.
 */
abstract class ManagerPerTest {
  /** This test's manager. */
  protected NDManager manager;

  @BeforeEach
  final void openManager() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  final void closeManager() {
    manager.close();
  }
}
