package dev.tune.trainer.tokenizer;

import com.hubspot.jinjava.interpret.Context;
import java.util.ArrayDeque;
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
      rewritten = parenthesizeKeywordArguments(rewritten);
      code.appendReplacement(out, Matcher.quoteReplacement(rewritten));
    }
    code.appendTail(out);
    return out.toString();
  }

  /**
   * Wraps keyword-argument values in parentheses: jinjava reads {@code f(n=x|length - 1)} as {@code
   * (n=x|length) - 1}, where Jinja binds the whole expression to {@code n}.
   */
  static String parenthesizeKeywordArguments(String code) {
    StringBuilder out = new StringBuilder(code.length() + 8);
    // One entry per open bracket: the bracket, and whether a keyword value is open inside it.
    ArrayDeque<char[]> brackets = new ArrayDeque<>();
    int i = 0;
    while (i < code.length()) {
      char c = code.charAt(i);
      if (c == '\'' || c == '"') {
        int end = literalEnd(code, i);
        out.append(code, i, end);
        i = end;
      } else if (c == '(' || c == '[' || c == '{') {
        brackets.push(new char[] {c, 0});
        out.append(c);
        i++;
      } else if (c == ')' || c == ']' || c == '}' || c == ',') {
        char[] top = brackets.peek();
        if (top != null && top[1] == 1) {
          out.append(')');
          top[1] = 0;
        }
        if (c != ',' && top != null) {
          brackets.pop();
        }
        out.append(c);
        i++;
      } else if (Character.isJavaIdentifierStart(c)
          && !brackets.isEmpty()
          && brackets.peek()[0] == '('
          && brackets.peek()[1] == 0
          && startsArgument(out)) {
        int end = i;
        while (end < code.length() && Character.isJavaIdentifierPart(code.charAt(end))) {
          end++;
        }
        int next = end;
        while (next < code.length() && Character.isWhitespace(code.charAt(next))) {
          next++;
        }
        boolean keyword =
            next < code.length()
                && code.charAt(next) == '='
                && (next + 1 >= code.length() || code.charAt(next + 1) != '=');
        out.append(code, i, end);
        i = end;
        if (keyword) {
          out.append(code, end, next + 1).append('(');
          brackets.peek()[1] = 1;
          i = next + 1;
        }
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static boolean startsArgument(StringBuilder out) {
    for (int k = out.length() - 1; k >= 0; k--) {
      char p = out.charAt(k);
      if (!Character.isWhitespace(p)) {
        return p == '(' || p == ',';
      }
    }
    return false;
  }

  private static int literalEnd(String code, int start) {
    char quote = code.charAt(start);
    int k = start + 1;
    while (k < code.length() && code.charAt(k) != quote) {
      k += code.charAt(k) == '\\' ? 2 : 1;
    }
    return Math.min(k + 1, code.length());
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
