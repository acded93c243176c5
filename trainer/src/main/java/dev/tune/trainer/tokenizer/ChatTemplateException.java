package dev.tune.trainer.tokenizer;

import dev.tune.core.error.BadInputException;
import java.util.Optional;

/**
 * A chat template that cannot be compiled, cannot be rendered, or rejected the conversation with
 * {@code raise_exception}.
 */
public final class ChatTemplateException extends BadInputException {

  private static final long serialVersionUID = 1L;

  private final String templateName;
  private final String raisedMessage;

  ChatTemplateException(String templateName, String message, String fix, String raisedMessage) {
    super(message, fix);
    this.templateName = templateName;
    this.raisedMessage = raisedMessage;
  }

  /** The name of the template, as transformers names it ("default", "tool_use", ...). */
  public String templateName() {
    return templateName;
  }

  /** The message the template passed to {@code raise_exception}, if that is what stopped it. */
  public Optional<String> raisedMessage() {
    return Optional.ofNullable(raisedMessage);
  }
}
