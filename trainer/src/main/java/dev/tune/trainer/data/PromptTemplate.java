package dev.tune.trainer.data;

import dev.tune.core.error.BadInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How an instruction row becomes a prompt and a completion. Placeholders are field names in braces:
 * {@code {instruction}}, {@code {input}} (Dolly's {@code context} or Alpaca's {@code input}),
 * {@code {response}} (Dolly's {@code response} or Alpaca's {@code output}), or any other field of
 * the row by its own name; doubled braces write literal ones.
 *
 * <p>Paragraphs (text between blank lines) whose placeholders are all empty are left out, so one
 * template serves rows with and without an input. Everything before {@code {response}} is the
 * prompt; the response and what follows it (such as {@code ### End}) is the completion.
 */
public final class PromptTemplate {

  /** The Dolly-style template: {@code ### Instruction:}, {@code Input:}, {@code ### Response:}. */
  public static final PromptTemplate DOLLY =
      parse(
          """
          Below is an instruction that describes a task. Write a response that appropriately \
          completes the request.

          ### Instruction:
          {instruction}

          Input:
          {input}

          ### Response:
          {response}

          ### End""");

  static final String RESPONSE = "response";

  private final String source;
  private final List<List<Part>> paragraphs;

  private PromptTemplate(String source, List<List<Part>> paragraphs) {
    this.source = source;
    this.paragraphs = paragraphs;
  }

  /** A piece of a paragraph: literal text, or a placeholder. */
  private record Part(String text, boolean placeholder) {}

  /** The prompt (not trained) and the completion (trained) of one row. */
  public record Rendered(String prompt, String completion) {}

  /**
   * @throws BadInputException if the braces do not pair or {@code {response}} is not there once
   */
  public static PromptTemplate parse(String source) {
    List<List<Part>> paragraphs = new ArrayList<>();
    int responses = 0;
    for (String paragraph : source.split("\n\n", -1)) {
      List<Part> parts = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      int i = 0;
      while (i < paragraph.length()) {
        char c = paragraph.charAt(i);
        if (c == '{' && i + 1 < paragraph.length() && paragraph.charAt(i + 1) == '{') {
          text.append('{');
          i += 2;
        } else if (c == '}' && i + 1 < paragraph.length() && paragraph.charAt(i + 1) == '}') {
          text.append('}');
          i += 2;
        } else if (c == '{') {
          int end = paragraph.indexOf('}', i);
          String name = end < 0 ? "" : paragraph.substring(i + 1, end).strip();
          if (end < 0 || name.isEmpty() || name.contains("{")) {
            throw invalid(source, "a '{' is not closed by a '}' around a field name");
          }
          if (!text.isEmpty()) {
            parts.add(new Part(text.toString(), false));
            text.setLength(0);
          }
          parts.add(new Part(name, true));
          responses += name.equals(RESPONSE) ? 1 : 0;
          i = end + 1;
        } else if (c == '}') {
          throw invalid(source, "a '}' has no '{' before it (write '}}' for a literal brace)");
        } else {
          text.append(c);
          i++;
        }
      }
      if (!text.isEmpty()) {
        parts.add(new Part(text.toString(), false));
      }
      paragraphs.add(List.copyOf(parts));
    }
    if (responses != 1) {
      throw invalid(source, "it must hold the {response} placeholder exactly once");
    }
    return new PromptTemplate(source, List.copyOf(paragraphs));
  }

  private static BadInputException invalid(String source, String why) {
    return new BadInputException(
        "The prompt template cannot be used: "
            + why
            + ". Template: "
            + BadRowException.snippet(source),
        "Write data.prompt_template with placeholders such as {instruction}, {input} and"
            + " {response}; the default is the Dolly template.");
  }

  /** The placeholders, in order. */
  public List<String> fields() {
    List<String> names = new ArrayList<>();
    for (List<Part> paragraph : paragraphs) {
      for (Part part : paragraph) {
        if (part.placeholder()) {
          names.add(part.text());
        }
      }
    }
    return names;
  }

  /**
   * Renders with these values; a placeholder without a value counts as empty.
   *
   * @param values by placeholder name, {@code response} included
   */
  public Rendered render(Map<String, String> values) {
    StringBuilder prompt = new StringBuilder();
    StringBuilder completion = new StringBuilder();
    boolean inCompletion = false;
    boolean firstKept = true;
    for (List<Part> paragraph : paragraphs) {
      if (allPlaceholdersEmpty(paragraph, values)) {
        continue;
      }
      StringBuilder out = inCompletion ? completion : prompt;
      if (!firstKept) {
        out.append("\n\n");
      }
      firstKept = false;
      for (Part part : paragraph) {
        if (!part.placeholder()) {
          out.append(part.text());
        } else if (part.text().equals(RESPONSE)) {
          inCompletion = true;
          out = completion;
          out.append(values.getOrDefault(RESPONSE, ""));
        } else {
          out.append(values.getOrDefault(part.text(), ""));
        }
      }
    }
    return new Rendered(prompt.toString(), completion.toString());
  }

  private static boolean allPlaceholdersEmpty(List<Part> paragraph, Map<String, String> values) {
    boolean any = false;
    for (Part part : paragraph) {
      if (part.placeholder()) {
        any = true;
        String value = values.get(part.text());
        if (value != null && !value.isEmpty()) {
          return false;
        }
      }
    }
    return any;
  }

  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return source;
  }
}
