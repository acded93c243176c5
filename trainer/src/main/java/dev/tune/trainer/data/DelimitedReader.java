package dev.tune.trainer.data;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.error.BadInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * CSV or TSV with a header row, quoted as RFC 4180 says: a field in double quotes may hold the
 * delimiter, line breaks and doubled quotes. Every cell is a string; blank lines are skipped.
 */
final class DelimitedReader implements RowReader {

  private final Path file;
  private final char delimiter;
  private final Utf8Lines lines;
  private final List<String> header;
  private long rows;
  private long startLine;

  DelimitedReader(Path file, char delimiter) throws IOException {
    this.file = file;
    this.delimiter = delimiter;
    this.lines = new Utf8Lines(file);
    List<String> names;
    try {
      names = record();
    } catch (BadRowException e) {
      lines.close();
      throw new BadInputException(
          "The header of " + file + " cannot be read: " + e.getMessage(),
          "Make the first line the column names, in UTF-8.");
    }
    if (names == null) {
      lines.close();
      header = List.of();
      return;
    }
    Set<String> seen = new HashSet<>();
    for (String name : names) {
      if (name.isBlank() || !seen.add(name)) {
        lines.close();
        throw new BadInputException(
            "The header of "
                + file
                + (name.isBlank() ? " has an empty column name" : " repeats the column " + name)
                + ": "
                + BadRowException.snippet(String.join(String.valueOf(delimiter), names)),
            "Make the first line the column names, each once, such as text or"
                + " instruction,context,response.");
      }
    }
    this.header = List.copyOf(names);
  }

  @Override
  public Row next() {
    if (header.isEmpty()) {
      return null;
    }
    List<String> cells;
    try {
      cells = record();
    } catch (BadRowException e) {
      rows++;
      throw e;
    }
    if (cells == null) {
      return null;
    }
    rows++;
    RowOrigin origin = new RowOrigin(file, rows, startLine);
    if (cells.size() != header.size()) {
      throw new BadRowException(
          origin,
          Optional.empty(),
          "has " + cells.size() + " fields but the header has " + header.size(),
          String.join(String.valueOf(delimiter), cells),
          "Quote fields that contain the delimiter or line breaks with double quotes.");
    }
    ObjectNode fields = JsonNodeFactory.instance.objectNode();
    for (int i = 0; i < header.size(); i++) {
      fields.put(header.get(i), cells.get(i));
    }
    return new Row(fields, origin);
  }

  /** The cells of the next record, or null at the end; a quoted field may span lines. */
  private List<String> record() {
    String line;
    do {
      line = lines.next();
      if (line == null) {
        return null;
      }
    } while (line.isEmpty());
    startLine = lines.number();
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    int i = 0;
    while (true) {
      if (i == line.length()) {
        if (!quoted) {
          break;
        }
        String more = lines.next();
        if (more == null) {
          throw new BadRowException(
              new RowOrigin(file, rows + 1, startLine),
              Optional.empty(),
              "a quoted field is not closed before the end of the file",
              cell.toString(),
              "Close every quoted field with a double quote; write a quote inside as \"\".");
        }
        cell.append('\n');
        line = more;
        i = 0;
        continue;
      }
      char c = line.charAt(i++);
      if (quoted) {
        if (c == '"') {
          if (i < line.length() && line.charAt(i) == '"') {
            cell.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          cell.append(c);
        }
      } else if (c == delimiter) {
        cells.add(cell.toString());
        cell.setLength(0);
        wasQuoted = false;
      } else if (c == '"' && cell.isEmpty() && !wasQuoted) {
        quoted = true;
        wasQuoted = true;
      } else {
        cell.append(c);
      }
    }
    cells.add(cell.toString());
    return cells;
  }

  @Override
  public void close() {
    lines.close();
  }
}
