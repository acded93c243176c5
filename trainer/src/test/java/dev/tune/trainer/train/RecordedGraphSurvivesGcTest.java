package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.trainer.loss.CausalLmLoss;
import dev.tune.trainer.optim.Optimizer;
import dev.tune.trainer.optim.TrainableParameter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A garbage collection between forward and backward changes no gradient.
 *
 * <p>DJL's {@code mul(Number)} builds a temporary scalar over a Java direct buffer and frees it at
 * once, while autograd keeps the tensor for backward: after a collection the backward pass read
 * freed memory (gradients of 0 or 1e8 instead of their values). The model keeps its scalars as
 * owned constants; this test fails if any recorded op goes back to a temporary.
 */
@ExtendWith(SingleThreadedTorch.class)
class RecordedGraphSurvivesGcTest {

  @Test
  void gradientsAreTheSameWithAndWithoutACollectionBeforeBackward() throws InterruptedException {
    try (NDManager manager = NDManager.newBaseManager();
        QloraModel model =
            TrainFixtures.llama(manager, QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, 2)) {
      GradientCheckpointingTest.randomizeB(model, 3);
      float[] quiet = gradients(model, manager, false);
      float[] collected = gradients(model, manager, true);
      assertThat(quiet).containsExactly(collected);
      float sum = 0;
      for (float g : quiet) {
        sum += Math.abs(g);
      }
      assertThat(sum).isGreaterThan(1f);
    }
  }

  private static float[] gradients(QloraModel model, NDManager manager, boolean collect)
      throws InterruptedException {
    List<TrainableParameter> params = model.trainableParameters();
    try (NDManager step = manager.newSubManager()) {
      NDArray ids = step.create(new long[] {0, 5, 9, 33, 77, 100, 200, 300}, new Shape(1, 8));
      NDArray loss = Autograd.recorded(() -> CausalLmLoss.mean(model.model().logits(ids), ids));
      if (collect) {
        collectAndReuseFreedMemory();
      }
      Autograd.recorded(
          () -> {
            Autograd.backward(loss);
            return null;
          });
      List<Float> values = new ArrayList<>();
      for (TrainableParameter p : params) {
        for (float g : p.array().getGradient().toFloatArray()) {
          values.add(g);
        }
      }
      Optimizer.zeroGrad(params);
      float[] out = new float[values.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = values.get(i);
      }
      return out;
    }
  }

  /** Collects garbage (freeing unreachable direct buffers) and reuses the freed memory. */
  private static void collectAndReuseFreedMemory() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    List<ByteBuffer> filler = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      ByteBuffer b = ByteBuffer.allocateDirect(4 + i % 64);
      b.putFloat(0, 1234.5f);
      filler.add(b);
    }
    assertThat(filler).hasSize(2000);
  }
}
