package dev.tune.trainer.plan;

import dev.tune.core.error.BadInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A device the planner may use and how much of its memory a run may take (accelerate's {@code
 * max_memory} entry).
 *
 * @param name how the trainer names it, e.g. {@code cuda:0}
 * @param budgetBytes memory the run may use on it
 */
public record DeviceBudget(String name, long budgetBytes) {

  public DeviceBudget {
    Objects.requireNonNull(name, "name");
    if (budgetBytes < 0) {
      throw new IllegalArgumentException(name + ": a memory budget cannot be negative");
    }
  }

  /**
   * Devices as {@code --gpus} writes them: {@code 4x24GiB} (four alike), {@code 24GiB} (one), or a
   * comma-separated list for uneven ones ({@code 80GiB,2x24GiB}); named {@code cuda:0}, {@code
   * cuda:1}, ... in order.
   */
  public static List<DeviceBudget> parseGpus(String text) {
    List<DeviceBudget> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.strip().toLowerCase(Locale.ROOT);
      int count = 1;
      int x = p.indexOf('x');
      if (x > 0 && p.substring(0, x).chars().allMatch(Character::isDigit)) {
        count = Integer.parseInt(p.substring(0, x));
        p = p.substring(x + 1);
      }
      if (count < 1) {
        throw new BadInputException("'" + part + "' asks for no GPUs", "write e.g. 4x24GiB");
      }
      long bytes = Bytes.parse(p);
      for (int i = 0; i < count; i++) {
        out.add(new DeviceBudget("cuda:" + out.size(), bytes));
      }
    }
    return out;
  }
}
