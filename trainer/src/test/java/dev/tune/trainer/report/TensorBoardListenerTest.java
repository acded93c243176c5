package dev.tune.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tune.trainer.train.TrainingLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorBoardListenerTest {

  @TempDir Path dir;

  @Test
  void aRunsLogsBecomeScalarsTensorBoardReads() throws IOException {
    Path file;
    TinyRun.Outcome run;
    try (TensorBoardListener listener = TensorBoardListener.create(dir.resolve("logs"))) {
      file = listener.file();
      run = TinyRun.train(dir.resolve("out"), 4, 2, listener);
    }

    List<EventFileReader.Event> events = EventFileReader.read(file);
    assertThat(events.get(0).fileVersion()).isEqualTo("brain.Event:2");
    List<TrainingLog> logged =
        run.result().logHistory().stream()
            .filter(l -> l.kind() != TrainingLog.Kind.SUMMARY)
            .toList();
    List<EventFileReader.Event> scalars = events.subList(1, events.size());
    assertThat(scalars).hasSameSizeAs(logged);
    for (int i = 0; i < logged.size(); i++) {
      TrainingLog log = logged.get(i);
      EventFileReader.Event event = scalars.get(i);
      assertThat(event.step()).isEqualTo(log.step());
      if (log.kind() == TrainingLog.Kind.TRAIN) {
        assertThat(event.scalars())
            .containsEntry("train/loss", (float) log.get("loss"))
            .containsEntry("train/learning_rate", (float) log.get("learning_rate"))
            .containsEntry("train/grad_norm", (float) log.get("grad_norm"))
            .containsEntry("train/tokens_per_second", (float) log.get("tokens_per_second"))
            .containsEntry("train/epoch", (float) log.get("epoch"));
      } else {
        assertThat(event.scalars()).containsEntry("eval/loss", (float) log.get("eval_loss"));
      }
    }
    assertThat(scalars)
        .filteredOn(e -> e.scalars().containsKey("eval/loss"))
        .extracting(EventFileReader.Event::step)
        .containsExactly(2L, 4L);
  }
}
