package dev.tune.trainer.tokenizer;

import com.hubspot.jinjava.interpret.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Adapts template source to jinjava before parsing, and finds the Jinja2 constructs that jinjava
 * would otherwise mis-render silently (an unknown filter renders as empty text; a filtered {@code
 * for} loop renders nothing).
 */
final class TemplateSourceCheck {

  private static final Pattern COMMENT = Pattern.compile("\\{#.*?#\\}", Pattern.DOTALL);
  private static final Pattern CODE =
      Pattern.compile("\\{\\{.*?\\}\\}|\\{%.*?%\\}", Pattern.DOTALL);
  private static final Pattern STRING_LITERAL =
      Pattern.compile("'(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\"", Pattern.DOTALL);
  private static final Pattern FILTER_USE = Pattern.compile("\\|\\s*([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern FOR_TAG =
      Pattern.compile("^\\{%[-+]?\\s*for\\s+.+?\\s+in\\s+(.+?)\\s*[-+]?%\\}$", Pattern.DOTALL);
  private static final Pattern REVERSE_SLICE = Pattern.compile("\\[\\s*:\\s*:\\s*-1\\s*\\]");
  // "not" + a variable with attribute/index accesses + "is [not] test[(args)]".
  private static final Pattern NOT_IS_TEST =
      Pattern.compile(
          "\\bnot\\s+([A-Za-z_]\\w*(?:\\.[A-Za-z_]\\w*|\\[[^\\[\\]]*\\])*)"
              + "\\s+is\\s+(not\\s+)?([A-Za-z_]\\w*)(\\s*\\([^()]*\\))?");

  private TemplateSourceCheck() {}

  /**
   * Gives jinjava the template Jinja would see. Like Jinja's lexer: newlines normalized to {@code
   * \n} and one trailing newline dropped. Inside expressions and tags: {@code seq[::-1]} (which
   * jinjava's parser rejects) becomes {@code seq|reverse}, and {@code not x is test} becomes {@code
   * not (x is test)}, since jinjava would apply {@code not} to {@code x} first.
   */
  static String adapt(String source) {
    String text = source.replace("\r\n", "\n").replace('\r', '\n');
    if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    Matcher code = CODE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (code.find()) {
      String rewritten = REVERSE_SLICE.matcher(code.group()).replaceAll("|reverse");
      rewritten = NOT_IS_TEST.matcher(rewritten).replaceAll("not ($1 is $2$3$4)");
      code.appendReplacement(out, Matcher.quoteReplacement(rewritten));
    }
    code.appendTail(out);
    return out.toString();
  }

  /** Problems that jinjava would not report, each as a sentence; empty when there are none. */
  static List<String> problems(String source, Context filters) {
    List<String> problems = new ArrayList<>();
    Matcher code = CODE.matcher(COMMENT.matcher(source).replaceAll(""));
    while (code.find()) {
      String segment = STRING_LITERAL.matcher(code.group()).replaceAll("''");
      Matcher filter = FILTER_USE.matcher(segment);
      while (filter.find()) {
        String name = filter.group(1);
        if (filters.getFilter(name) == null) {
          problems.add("it uses the filter '" + name + "', which the renderer does not have");
        }
      }
      Matcher forTag = FOR_TAG.matcher(segment);
      if (forTag.matches()) {
        String iterable = forTag.group(1);
        if (iterable.matches("(?s).*\\bif\\b.*") && !iterable.matches("(?s).*\\belse\\b.*")) {
          problems.add(
              "it filters a for loop inline ("
                  + code.group().strip()
                  + "); write the condition as an {% if %} inside the loop");
        }
        if (iterable.matches("(?s).*\\brecursive\\s*$")) {
          problems.add("it uses a recursive for loop (" + code.group().strip() + ")");
        }
      }
    }
    return problems;
  }
}
