package dev.tune.trainer.tokenizer;

import com.hubspot.jinjava.objects.SafeString;
import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python {@code str} methods and indexing for chat templates ({@code content.startswith('<tool')},
 * {@code text.split('</think>')[-1].lstrip('\n')}, ...). Jinjava would otherwise call the Java
 * {@code String} method of the same name, which is missing ({@code startswith}) or means something
 * else ({@code split} takes a regex).
 */
final class PythonStringMethods extends ELResolver {

  private static final Set<String> METHODS =
      Set.of(
          "startswith",
          "endswith",
          "strip",
          "lstrip",
          "rstrip",
          "split",
          "rsplit",
          "splitlines",
          "upper",
          "lower",
          "title",
          "capitalize",
          "replace",
          "find",
          "rfind",
          "count",
          "join",
          "isspace",
          "isdigit",
          "isalpha",
          "isalnum",
          "islower",
          "isupper");

  @Override
  public Object invoke(
      ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
    if (!(base instanceof String || base instanceof SafeString)
        || !(method instanceof String name)
        || !METHODS.contains(name)) {
      return null;
    }
    Object[] args = params == null ? new Object[0] : params;
    Object result = call(base.toString(), name, args);
    context.setPropertyResolved(true);
    return result;
  }

  static Object call(String s, String name, Object[] args) {
    return switch (name) {
      case "startswith" -> matchesAny(args, 0, "startswith", s::startsWith);
      case "endswith" -> matchesAny(args, 0, "endswith", s::endsWith);
      case "strip" -> rstrip(lstrip(s, chars(args)), chars(args));
      case "lstrip" -> lstrip(s, chars(args));
      case "rstrip" -> rstrip(s, chars(args));
      case "split" -> split(s, optionalString(args, 0), maxSplit(args));
      case "rsplit" -> rsplit(s, optionalString(args, 0), maxSplit(args));
      case "splitlines" -> s.isEmpty() ? new ArrayList<>() : new ArrayList<>(s.lines().toList());
      case "upper" -> s.toUpperCase(Locale.ROOT);
      case "lower" -> s.toLowerCase(Locale.ROOT);
      case "title" -> title(s);
      case "capitalize" ->
          s.isEmpty()
              ? s
              : s.substring(0, 1).toUpperCase(Locale.ROOT)
                  + s.substring(1).toLowerCase(Locale.ROOT);
      case "replace" -> replace(s, string(args, 0, name), string(args, 1, name), args);
      case "find" -> (long) s.indexOf(string(args, 0, name));
      case "rfind" -> (long) s.lastIndexOf(string(args, 0, name));
      case "count" -> count(s, string(args, 0, name));
      case "join" -> join(s, args);
      case "isspace" -> !s.isEmpty() && s.chars().allMatch(PythonStringMethods::isPythonSpace);
      case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
      case "isalpha" -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
      case "isalnum" -> !s.isEmpty() && s.chars().allMatch(Character::isLetterOrDigit);
      case "islower" -> hasCased(s) && s.equals(s.toLowerCase(Locale.ROOT));
      case "isupper" -> hasCased(s) && s.equals(s.toUpperCase(Locale.ROOT));
      default -> throw new IllegalStateException("unhandled str method " + name);
    };
  }

  /** Python's {@code str.isspace} set, wider than Java's {@code Character.isWhitespace}. */
  static boolean isPythonSpace(int c) {
    return switch (c) {
      case '\t', '\n', 0x0b, 0x0c, '\r', 0x1c, 0x1d, 0x1e, 0x1f, ' ', 0x85, 0xa0, 0x1680 -> true;
      case 0x2028, 0x2029, 0x202f, 0x205f, 0x3000 -> true;
      default -> c >= 0x2000 && c <= 0x200a;
    };
  }

  private static boolean matchesAny(
      Object[] args, int index, String name, java.util.function.Predicate<String> test) {
    if (args.length <= index) {
      throw new IllegalArgumentException(name + "() takes at least 1 argument (0 given)");
    }
    Object arg = args[index];
    if (arg instanceof Collection<?> options) {
      for (Object option : options) {
        if (test.test(String.valueOf(option))) {
          return true;
        }
      }
      return false;
    }
    return test.test(string(args, index, name));
  }

  private static String chars(Object[] args) {
    return optionalString(args, 0);
  }

  private static String optionalString(Object[] args, int index) {
    return args.length > index && args[index] != null ? args[index].toString() : null;
  }

  private static String string(Object[] args, int index, String method) {
    if (args.length <= index || args[index] == null) {
      throw new IllegalArgumentException(
          method + "() needs a string argument at position " + (index + 1));
    }
    return args[index].toString();
  }

  private static int maxSplit(Object[] args) {
    return args.length > 1 && args[1] instanceof Number n ? n.intValue() : -1;
  }

  private static boolean strips(int c, String chars) {
    return chars == null ? isPythonSpace(c) : chars.indexOf(c) >= 0;
  }

  static String lstrip(String s, String chars) {
    int start = 0;
    while (start < s.length() && strips(s.charAt(start), chars)) {
      start++;
    }
    return s.substring(start);
  }

  static String rstrip(String s, String chars) {
    int end = s.length();
    while (end > 0 && strips(s.charAt(end - 1), chars)) {
      end--;
    }
    return s.substring(0, end);
  }

  static List<String> split(String s, String sep, int maxSplit) {
    List<String> parts = new ArrayList<>();
    if (sep == null) {
      int i = 0;
      int n = s.length();
      while (true) {
        while (i < n && isPythonSpace(s.charAt(i))) {
          i++;
        }
        if (i >= n) {
          return parts;
        }
        if (maxSplit >= 0 && parts.size() == maxSplit) {
          parts.add(rstrip(s.substring(i), null));
          return parts;
        }
        int start = i;
        while (i < n && !isPythonSpace(s.charAt(i))) {
          i++;
        }
        parts.add(s.substring(start, i));
      }
    }
    if (sep.isEmpty()) {
      throw new IllegalArgumentException("empty separator");
    }
    int from = 0;
    while (maxSplit < 0 || parts.size() < maxSplit) {
      int at = s.indexOf(sep, from);
      if (at < 0) {
        break;
      }
      parts.add(s.substring(from, at));
      from = at + sep.length();
    }
    parts.add(s.substring(from));
    return parts;
  }

  private static List<String> rsplit(String s, String sep, int maxSplit) {
    if (maxSplit < 0 || sep == null) {
      // Without a limit, or on whitespace with a limit rarely used by templates, both
      // directions give the same pieces.
      return split(s, sep, maxSplit);
    }
    if (sep.isEmpty()) {
      throw new IllegalArgumentException("empty separator");
    }
    List<String> parts = new ArrayList<>();
    int end = s.length();
    while (parts.size() < maxSplit) {
      int at = s.lastIndexOf(sep, end - sep.length());
      if (at < 0) {
        break;
      }
      parts.addFirst(s.substring(at + sep.length(), end));
      end = at;
    }
    parts.addFirst(s.substring(0, end));
    return parts;
  }

  private static String title(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean previousCased = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean cased =
          Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
      out.append(cased ? (previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c)) : c);
      previousCased = cased;
    }
    return out.toString();
  }

  private static String replace(String s, String old, String replacement, Object[] args) {
    int limit = args.length > 2 && args[2] instanceof Number n ? n.intValue() : -1;
    if (limit < 0) {
      return s.replace(old, replacement);
    }
    StringBuilder out = new StringBuilder();
    int from = 0;
    for (int done = 0; done < limit; done++) {
      int at = old.isEmpty() ? (from <= s.length() ? from : -1) : s.indexOf(old, from);
      if (at < 0) {
        break;
      }
      out.append(s, from, at).append(replacement);
      if (old.isEmpty()) {
        if (at < s.length()) {
          out.append(s.charAt(at));
        }
        from = at + 1;
      } else {
        from = at + old.length();
      }
    }
    if (from <= s.length()) {
      out.append(s.substring(from));
    }
    return out.toString();
  }

  private static long count(String s, String sub) {
    if (sub.isEmpty()) {
      return s.length() + 1L;
    }
    long n = 0;
    for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
      n++;
    }
    return n;
  }

  private static String join(String separator, Object[] args) {
    if (args.length == 0 || !(args[0] instanceof Iterable<?> items)) {
      throw new IllegalArgumentException("join() takes a list of strings");
    }
    StringBuilder out = new StringBuilder();
    boolean first = true;
    for (Object item : items) {
      if (!(item instanceof CharSequence || item instanceof SafeString)) {
        throw new IllegalArgumentException(
            "sequence item: expected str instance, "
                + (item == null ? "NoneType" : item.getClass().getSimpleName())
                + " found");
      }
      if (!first) {
        out.append(separator);
      }
      first = false;
      out.append(item);
    }
    return out.toString();
  }

  private static boolean hasCased(String s) {
    return s.chars().anyMatch(c -> Character.isUpperCase(c) || Character.isLowerCase(c));
  }

  /** {@code text[i]}: one character, counted from the end when negative, as in Python. */
  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    if (!(base instanceof String || base instanceof SafeString)) {
      return null;
    }
    // jinjava hands integer subscripts over as their decimal text.
    Long index =
        switch (property) {
          case Number n -> n.longValue();
          case String text when text.matches("-?\\d{1,9}") -> Long.parseLong(text);
          case null, default -> null;
        };
    if (index == null) {
      return null;
    }
    String s = base.toString();
    long i = index < 0 ? s.length() + index : index;
    if (i < 0 || i >= s.length()) {
      throw new IllegalArgumentException(
          "string index " + index + " out of range for a string of length " + s.length());
    }
    context.setPropertyResolved(true);
    return String.valueOf(s.charAt((int) i));
  }

  // The remaining ELResolver methods: this resolver only reads.

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {}

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return true;
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return null;
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }
}
