package dev.tune.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.error.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Base64;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * A Parquet file, decoded one row group at a time; each row becomes a JSON object (strings,
 * numbers, booleans, lists and nested structs as {@code datasets} writes them, e.g. a {@code
 * messages} list of {@code role/content} structs).
 */
final class ParquetRowReader implements RowReader {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Path file;
  private final ParquetFileReader reader;
  private final MessageType schema;
  private RecordReader<Group> records;
  private long leftInGroup;
  private long rows;

  ParquetRowReader(Path file) throws IOException {
    this.file = file;
    try {
      this.reader =
          ParquetFileReader.open(
              new LocalInputFile(file),
              ParquetReadOptions.builder(new PlainParquetConfiguration()).build());
    } catch (IOException | RuntimeException e) {
      throw new BadInputException(
          file + " is not a readable Parquet file: " + e.getMessage(),
          "Write the file again with pyarrow, pandas or datasets (to_parquet).",
          e);
    }
    this.schema = reader.getFooter().getFileMetaData().getSchema();
  }

  @Override
  public Row next() {
    try {
      while (leftInGroup == 0) {
        PageReadStore pages = reader.readNextRowGroup();
        if (pages == null) {
          return null;
        }
        leftInGroup = pages.getRowCount();
        records =
            new ColumnIOFactory()
                .getColumnIO(schema)
                .getRecordReader(pages, new GroupRecordConverter(schema));
      }
      Group group = records.read();
      leftInGroup--;
      rows++;
      return new Row(object(group, schema), new RowOrigin(file, rows, 0));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    } catch (ParquetDecodingException e) {
      throw new BadInputException(
          file + " row " + (rows + 1) + " cannot be decoded: " + e.getMessage(),
          "Write the file again with pyarrow, pandas or datasets (to_parquet).",
          e);
    }
  }

  private static ObjectNode object(Group group, GroupType type) {
    ObjectNode out = NODES.objectNode();
    for (int i = 0; i < type.getFieldCount(); i++) {
      Type field = type.getType(i);
      int count = group.getFieldRepetitionCount(i);
      if (field.isRepetition(Type.Repetition.REPEATED)) {
        ArrayNode values = out.putArray(field.getName());
        for (int j = 0; j < count; j++) {
          values.add(value(group, i, j, field));
        }
      } else {
        out.set(field.getName(), count == 0 ? NODES.nullNode() : value(group, i, 0, field));
      }
    }
    return out;
  }

  private static JsonNode value(Group group, int field, int index, Type type) {
    if (type.isPrimitive()) {
      return primitive(group, field, index, type.asPrimitiveType());
    }
    GroupType groupType = type.asGroupType();
    Group child = group.getGroup(field, index);
    LogicalTypeAnnotation logical = groupType.getLogicalTypeAnnotation();
    if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation
        && groupType.getFieldCount() == 1) {
      return list(child, groupType.getType(0));
    }
    return object(child, groupType);
  }

  /** The LIST layout: a repeated field whose entries hold one element each (or are the element). */
  private static JsonNode list(Group list, Type repeated) {
    ArrayNode out = NODES.arrayNode();
    int count = list.getFieldRepetitionCount(0);
    for (int j = 0; j < count; j++) {
      if (!repeated.isPrimitive() && repeated.asGroupType().getFieldCount() == 1) {
        Group entry = list.getGroup(0, j);
        Type element = repeated.asGroupType().getType(0);
        out.add(
            entry.getFieldRepetitionCount(0) == 0 ? NODES.nullNode() : value(entry, 0, 0, element));
      } else {
        out.add(value(list, 0, j, repeated));
      }
    }
    return out;
  }

  private static JsonNode primitive(Group group, int field, int index, PrimitiveType type) {
    return switch (type.getPrimitiveTypeName()) {
      case BOOLEAN -> NODES.booleanNode(group.getBoolean(field, index));
      case INT32 -> NODES.numberNode(group.getInteger(field, index));
      case INT64 -> NODES.numberNode(group.getLong(field, index));
      case FLOAT -> NODES.numberNode(group.getFloat(field, index));
      case DOUBLE -> NODES.numberNode(group.getDouble(field, index));
      case BINARY, FIXED_LEN_BYTE_ARRAY ->
          isText(type)
              ? NODES.textNode(group.getBinary(field, index).toStringUsingUTF8())
              : NODES.textNode(
                  Base64.getEncoder().encodeToString(group.getBinary(field, index).getBytes()));
      case INT96 -> NODES.textNode(group.getValueToString(field, index));
    };
  }

  private static boolean isText(PrimitiveType type) {
    LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
    return logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
        || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
        || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation;
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close " + file + ": " + e.getMessage(), e);
    }
  }
}
