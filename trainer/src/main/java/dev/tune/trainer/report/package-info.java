/**
 * What a training run reports besides its log lines: {@link
 * dev.tune.trainer.report.TensorBoardListener} writes the logs as TensorBoard scalars while the run
 * trains, and {@link dev.tune.trainer.report.TrainingReport} renders {@code report.html} once it
 * has ended.
 *
 * <p>Both are written by hand rather than through a protobuf runtime or a templating library: an
 * event file needs four protobuf fields and a CRC-32C the JDK has, and the report is one page whose
 * charts are a few SVG elements.
 */
package dev.tune.trainer.report;
