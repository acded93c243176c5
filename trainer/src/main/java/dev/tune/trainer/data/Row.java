package dev.tune.trainer.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One record of a data file, whatever the file format: JSON objects as they are, CSV/TSV cells as
 * strings under their header names, Parquet columns as JSON values.
 */
public record Row(ObjectNode fields, RowOrigin origin) {

  public Row {
    Objects.requireNonNull(fields, "fields");
    Objects.requireNonNull(origin, "origin");
  }
}
