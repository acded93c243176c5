package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Function;

/**
 * How a list of one kind of provider resource (jobs, models, endpoints) is printed: a table with a
 * header and a row each, or a JSON object holding an array of them.
 *
 * @param header the table's first line
 * @param row one resource's table line
 * @param json one resource as a JSON object
 */
record ResourceTable<T>(
    String header, Function<? super T, String> row, Function<? super T, ObjectNode> json) {

  /**
   * Prints {@code items} in the chosen output format; as text, {@code emptyText} stands in for an
   * empty table, as JSON they are an array under {@code jsonKey}.
   */
  void print(Printer printer, List<? extends T> items, String emptyText, String jsonKey) {
    StringBuilder text = new StringBuilder(header);
    items.forEach(item -> text.append('\n').append(row.apply(item)));
    printer.result(
        items.isEmpty() ? emptyText : text.toString(),
        () -> {
          ObjectNode document = Printer.object();
          ArrayNode array = document.putArray(jsonKey);
          items.forEach(item -> array.add(json.apply(item)));
          return document;
        });
  }

  /** What a delete command prints as JSON: the resource as it was, marked deleted. */
  static ObjectNode deleted(ObjectNode resource) {
    resource.put("deleted", true);
    return resource;
  }
}
