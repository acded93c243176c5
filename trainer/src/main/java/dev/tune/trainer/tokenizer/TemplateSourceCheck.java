package dev.tune.trainer.tokenizer;

import com.hubspot.jinjava.interpret.Context;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Adapts template source to jinjava before parsing, and finds the Jinja2 constructs that jinjava
 * would otherwise mis-render silently (an unknown filter renders as empty text).
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
  private static final Pattern FOR_PARTS =
      Pattern.compile(
          "^\\{%([-+]?)\\s*for\\s+(.+?)\\s+in\\s+(.+?)\\s*([-+]?)%\\}$", Pattern.DOTALL);
  private static final Pattern MACRO_TAG = Pattern.compile("\\{%[-+]?\\s*macro\\b");
  private static final Pattern REVERSE_SLICE = Pattern.compile("\\[\\s*:\\s*:\\s*-1\\s*\\]");
  // "not" + a variable with attribute/index accesses + "is [not] test[(args)]".
  private static final Pattern NOT_IS_TEST =
      Pattern.compile(
          "\\bnot\\s+([A-Za-z_]\\w*(?:\\.[A-Za-z_]\\w*|\\[[^\\[\\]]*\\])*)"
              + "\\s+is\\s+(not\\s+)?([A-Za-z_]\\w*)(\\s*\\([^()]*\\))?");

  private TemplateSourceCheck() {}

  /** A Jinja for loop's inline filter ({@code for k, v in d.items() if k != "x"}). */
  record LoopFilter(List<String> targets, String condition) {}

  /** Template source rewritten for jinjava, and the loop filters it refers to by index. */
  record Adapted(String source, List<LoopFilter> loopFilters) {}

  /**
   * Gives jinjava the template Jinja would see. Like Jinja's lexer: newlines normalized to {@code
   * \n}, one trailing newline dropped, {@code lstrip_blocks} applied. Inside expressions and tags:
   * {@code seq[::-1]} (which jinjava's parser rejects) becomes {@code seq|reverse}; {@code not x is
   * test} becomes {@code not (x is test)}, since jinjava would apply {@code not} to {@code x}
   * first; keyword-argument values get parentheses; and a filtered loop {@code for x in seq if
   * cond}, which jinjava cannot parse, iterates {@code seq|tune_loop_if(n)} instead, {@code n}
   * indexing the returned {@link LoopFilter}s.
   */
  static Adapted adapt(String source) {
    String text = source.replace("\r\n", "\n").replace('\r', '\n');
    if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    text = lstripBlocks(text);
    List<LoopFilter> loopFilters = new ArrayList<>();
    Matcher code = CODE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (code.find()) {
      String segment = code.group();
      Matcher forTag = FOR_PARTS.matcher(segment);
      if (forTag.matches()) {
        int at = topLevelKeyword(forTag.group(3), "if");
        if (at >= 0) {
          String iterable = forTag.group(3).substring(0, at).strip();
          String condition = forTag.group(3).substring(at + 2).strip();
          List<String> targets = new ArrayList<>();
          for (String name : forTag.group(2).replace("(", "").replace(")", "").split(",")) {
            targets.add(name.strip());
          }
          segment =
              "{%"
                  + forTag.group(1)
                  + " for "
                  + forTag.group(2)
                  + " in ("
                  + iterable
                  + ")|tune_loop_if("
                  + loopFilters.size()
                  + ") "
                  + forTag.group(4)
                  + "%}";
          loopFilters.add(new LoopFilter(List.copyOf(targets), rewriteExpression(condition)));
        }
      }
      code.appendReplacement(out, Matcher.quoteReplacement(rewriteExpression(segment)));
    }
    code.appendTail(out);
    return new Adapted(out.toString(), List.copyOf(loopFilters));
  }

  /**
   * Jinja's {@code lstrip_blocks}: spaces and tabs from the start of a line up to a block or
   * comment tag are dropped. (jinjava's own switch also strips them after text on the same line.)
   */
  static String lstripBlocks(String text) {
    StringBuilder out = new StringBuilder(text.length());
    int lineStart = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{'
          && i + 1 < text.length()
          && (text.charAt(i + 1) == '%' || text.charAt(i + 1) == '#')) {
        boolean plus = i + 2 < text.length() && text.charAt(i + 2) == '+';
        if (!plus && blankFrom(out, lineStart)) {
          out.setLength(lineStart);
        }
      }
      out.append(c);
      if (c == '\n') {
        lineStart = out.length();
      }
    }
    return out.toString();
  }

  private static boolean blankFrom(StringBuilder out, int from) {
    for (int k = from; k < out.length(); k++) {
      char c = out.charAt(k);
      if (c != ' ' && c != '\t') {
        return false;
      }
    }
    return true;
  }

  private static String rewriteExpression(String code) {
    String rewritten = REVERSE_SLICE.matcher(code).replaceAll("|reverse");
    rewritten = NOT_IS_TEST.matcher(rewritten).replaceAll("not ($1 is $2$3$4)");
    // A macro's parameter defaults are not call arguments; jinjava rejects them parenthesized.
    return MACRO_TAG.matcher(rewritten).lookingAt()
        ? rewritten
        : parenthesizeKeywordArguments(rewritten);
  }

  /** Where {@code keyword} stands as a word outside brackets and string literals, or -1. */
  static int topLevelKeyword(String code, String keyword) {
    int depth = 0;
    int i = 0;
    while (i < code.length()) {
      char c = code.charAt(i);
      if (c == '\'' || c == '"') {
        i = literalEnd(code, i);
        continue;
      }
      if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth--;
      } else if (depth == 0
          && code.startsWith(keyword, i)
          && (i == 0 || !Character.isJavaIdentifierPart(code.charAt(i - 1)))
          && (i + keyword.length() >= code.length()
              || !Character.isJavaIdentifierPart(code.charAt(i + keyword.length())))) {
        return i;
      }
      i++;
    }
    return -1;
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
        if (iterable.matches("(?s).*\\brecursive\\s*$")) {
          problems.add("it uses a recursive for loop (" + code.group().strip() + ")");
        }
      }
    }
    return problems;
  }
}
