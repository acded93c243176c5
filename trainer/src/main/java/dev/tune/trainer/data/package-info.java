/**
 * Training data: files in, token sequences out.
 *
 * <p>{@link dev.tune.trainer.data.DataFiles} resolves files, directories and globs; {@link
 * dev.tune.trainer.data.DataPipeline#open} detects the {@link dev.tune.trainer.data.Schema} from
 * the first row (text, Dolly/Alpaca instruction rendered with a {@link
 * dev.tune.trainer.data.PromptTemplate}, prompt/completion, {@code messages} or ShareGPT chat
 * rendered with the model's chat template) and gives the training and evaluation {@link
 * dev.tune.trainer.data.ExampleStream}s. Each pass streams the files again: JSON Lines, CSV and TSV
 * line by line, JSON arrays element by element, Parquet row group by row group; a row becomes a
 * {@link dev.tune.trainer.data.TokenizedExample} (labels -100 on prompt tokens for completion-only
 * loss), is truncated or dropped at {@code max_seq_length}, and with {@code packing} is packed into
 * fixed-length rows whose position ids restart per sample and whose sequence ids give the model a
 * block-diagonal causal mask ({@code ForwardInput.withSequenceIds}).
 *
 * <p>Bad rows raise {@link dev.tune.trainer.data.BadRowException} (file, line or row, field,
 * snippet) or, with {@code skip_bad_rows}, are counted in the {@link
 * dev.tune.trainer.data.DataReport}. {@link dev.tune.trainer.data.ExampleStream#check()} reads a
 * data set once so every such error, and an empty or all-too-long data set, surfaces before
 * training. {@link dev.tune.trainer.data.DataInspector} backs {@code tune data inspect}.
 */
package dev.tune.trainer.data;
