package dev.tune.trainer.tokenizer;

import java.time.Clock;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.IsoFields;
import java.util.List;
import java.util.Locale;

/**
 * The global functions transformers adds to its Jinja environment: {@code raise_exception(msg)} and
 * {@code strftime_now(fmt)}. Jinjava calls them as static methods, so the state of the render in
 * progress (its clock, the message a template raised) lives in a per-thread scope.
 */
public final class TemplateGlobals {

  private static final ThreadLocal<RenderScope> SCOPE = new ThreadLocal<>();

  private TemplateGlobals() {}

  /** What one render needs from, and learns through, the global functions. */
  static final class RenderScope implements AutoCloseable {
    private final Clock clock;
    private final List<TemplateSourceCheck.LoopFilter> loopFilters;
    private String raisedMessage;

    private RenderScope(Clock clock, List<TemplateSourceCheck.LoopFilter> loopFilters) {
      this.clock = clock;
      this.loopFilters = loopFilters;
    }

    String raisedMessage() {
      return raisedMessage;
    }

    @Override
    public void close() {
      SCOPE.remove();
    }
  }

  static RenderScope open(Clock clock, List<TemplateSourceCheck.LoopFilter> loopFilters) {
    RenderScope scope = new RenderScope(clock, loopFilters);
    SCOPE.set(scope);
    return scope;
  }

  /** Loop filter {@code index} of the template being rendered on this thread. */
  static TemplateSourceCheck.LoopFilter loopFilter(int index) {
    RenderScope scope = SCOPE.get();
    if (scope == null || index < 0 || index >= scope.loopFilters.size()) {
      throw new IllegalStateException(
          "no loop filter " + index + " in the template being rendered");
    }
    return scope.loopFilters.get(index);
  }

  /** Thrown to stop the render; the message is kept in the scope, where the renderer finds it. */
  static final class TemplateRaised extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TemplateRaised(String message) {
      super(message);
    }
  }

  /**
   * {@code raise_exception(message)}: the template rejects its input.
   *
   * @param message what the template says is wrong
   * @return never returns
   */
  public static Object raiseException(Object message) {
    String text = String.valueOf(message);
    RenderScope scope = SCOPE.get();
    if (scope != null && scope.raisedMessage == null) {
      scope.raisedMessage = text;
    }
    throw new TemplateRaised(text);
  }

  /**
   * {@code strftime_now(format)}: the current local time, formatted like Python's {@code
   * datetime.now().strftime(format)}.
   *
   * @param format a Python strftime format
   * @return the formatted time
   */
  public static String strftimeNow(Object format) {
    RenderScope scope = SCOPE.get();
    Clock clock = scope == null ? Clock.system(ZoneId.systemDefault()) : scope.clock;
    return strftime(ZonedDateTime.now(clock), String.valueOf(format));
  }

  /** Python's strftime in the C locale, for the directives chat templates use. */
  static String strftime(ZonedDateTime t, String format) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 >= format.length()) {
        out.append(c);
        continue;
      }
      char d = format.charAt(++i);
      boolean unpadded = false;
      if (d == '-' && i + 1 < format.length()) {
        // glibc's "no padding" flag, which Python passes through on Linux.
        unpadded = true;
        d = format.charAt(++i);
      }
      out.append(directive(t, d, unpadded));
    }
    return out.toString();
  }

  private static String directive(ZonedDateTime t, char d, boolean unpadded) {
    return switch (d) {
      case 'Y' -> Integer.toString(t.getYear());
      case 'y' -> pad(t.getYear() % 100, 2, unpadded);
      case 'm' -> pad(t.getMonthValue(), 2, unpadded);
      case 'd' -> pad(t.getDayOfMonth(), 2, unpadded);
      case 'e' ->
          unpadded ? Integer.toString(t.getDayOfMonth()) : String.format("%2d", t.getDayOfMonth());
      case 'H' -> pad(t.getHour(), 2, unpadded);
      case 'I' -> pad(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, 2, unpadded);
      case 'M' -> pad(t.getMinute(), 2, unpadded);
      case 'S' -> pad(t.getSecond(), 2, unpadded);
      case 'f' -> String.format("%06d", t.getNano() / 1000);
      case 'p' -> t.getHour() < 12 ? "AM" : "PM";
      case 'j' -> pad(t.getDayOfYear(), 3, unpadded);
      case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
      case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
      case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
      case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
      case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
      case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
      case 'V' -> pad(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 2, unpadded);
      case 'G' -> Integer.toString(t.get(IsoFields.WEEK_BASED_YEAR));
      case 'Z' -> t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
      case 'z' ->
          t.getOffset().getId().equals("Z") ? "+0000" : t.getOffset().getId().replace(":", "");
      case 's' -> Long.toString(t.getLong(ChronoField.INSTANT_SECONDS));
      case '%' -> "%";
      default -> "%" + d;
    };
  }

  private static String pad(int value, int width, boolean unpadded) {
    return unpadded ? Integer.toString(value) : String.format("%0" + width + "d", value);
  }
}
