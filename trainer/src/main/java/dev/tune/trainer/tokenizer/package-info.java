/**
 * The tokenizer and chat templates of a Hugging Face model directory, behaving as transformers'
 * fast tokenizer and {@code apply_chat_template} do.
 *
 * <p>{@link dev.tune.trainer.tokenizer.ModelTokenizer} runs {@code tokenizer.json} in the Rust
 * tokenizers library through DJL and reads special tokens, chat templates and stop ids from the
 * files around it, following transformers v5. {@link dev.tune.trainer.tokenizer.ChatTemplate}
 * renders Jinja chat templates with jinjava, adapted to Jinja's behaviour where chat templates
 * depend on it: {@code lstrip_blocks}, the dropped trailing newline, {@code not x is test}
 * precedence, keyword arguments, {@code [::-1]}, filtered {@code for} loops, Python {@code str}
 * methods and indexing, {@code iterable}/{@code sequence} tests on strings, {@code tojson} as
 * {@code json.dumps}, {@code raise_exception}, {@code strftime_now} and {@code {% generation %}}.
 *
 * <p>Known differences from Jinja that templates rarely meet: printed booleans and None read {@code
 * true}/{@code false}/empty instead of {@code True}/{@code False}/{@code None}; {@code default}
 * also replaces None; {@code 'x' * 3} and {@code %} string formatting are not supported; a variable
 * set to None counts as undefined for {@code is defined}; string lengths and slices count UTF-16
 * units, so characters outside the BMP count twice; recursive loops are rejected; the sandbox does
 * not forbid {@code list.append}.
 */
package dev.tune.trainer.tokenizer;
