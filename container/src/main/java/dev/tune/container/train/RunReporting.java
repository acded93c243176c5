package dev.tune.container.train;

import dev.tune.core.config.TrainSpecJson;
import dev.tune.core.train.TrainSpec;
import dev.tune.trainer.data.DataReport;
import dev.tune.trainer.report.PeakMemory;
import dev.tune.trainer.report.Sample;
import dev.tune.trainer.report.TensorBoardListener;
import dev.tune.trainer.report.TrainingReport;
import dev.tune.trainer.train.TrainResult;
import dev.tune.trainer.train.TrainingListener;
import java.util.List;

/**
 * The one place where the run's extra outputs are wired: the TensorBoard event files in {@link
 * JobOutputs#logDir()}, written from the trainer's log entries as they come, and the HTML report
 * written to {@link JobOutputs#reportFile()} after the run. (Early stopping needs no wiring: the
 * trainer reads {@code training.early_stopping} from the spec.)
 */
final class RunReporting implements AutoCloseable {
  private final JobOutputs outputs;
  private final TrainSpec spec;
  private final TensorBoardListener tensorBoard;

  private RunReporting(JobOutputs outputs, TrainSpec spec, TensorBoardListener tensorBoard) {
    this.outputs = outputs;
    this.spec = spec;
    this.tensorBoard = tensorBoard;
  }

  /** Starts a new TensorBoard event file; a resumed run adds one beside the earlier ones. */
  static RunReporting start(JobOutputs outputs, TrainSpec spec) {
    return new RunReporting(outputs, spec, TensorBoardListener.create(outputs.logDir()));
  }

  /** Hears the trainer's log entries. */
  TrainingListener listener() {
    return tensorBoard;
  }

  /** Writes report.html from the spec, the result, the data reports and the sample answers. */
  void finish(TrainResult result, List<Sample> samples, DataReport trainData, DataReport evalData) {
    TrainingReport.Builder report =
        TrainingReport.builder()
            .title(spec.output().name())
            .config(TrainSpecJson.write(spec))
            .trainData(trainData)
            .result(result)
            .memory(PeakMemory.ofThisProcess())
            .samples(samples);
    if (evalData.rows() > 0) {
      report.evalData(evalData);
    }
    report.build().write(outputs.reportFile());
  }

  @Override
  public void close() {
    tensorBoard.close();
  }
}
