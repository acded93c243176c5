package dev.tune.trainer.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * The jinjava counterpart of transformers' chat-template environment: an {@code
 * ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)} with loop controls, the
 * {@code generation} tag, {@code tojson}, {@code raise_exception} and {@code strftime_now}.
 */
final class JinjaEnvironment {

  private static final JinjaEnvironment INSTANCE = new JinjaEnvironment();

  private final Jinjava jinjava;

  private JinjaEnvironment() {
    CompositeELResolver resolver = new CompositeELResolver();
    resolver.add(new PythonStringMethods());
    // Read-only, like Jinja's immutable sandbox: templates cannot change the caller's messages.
    resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
    JinjavaConfig config =
        JinjavaConfig.newBuilder()
            .withTrimBlocks(true)
            // lstrip_blocks is applied to the source by TemplateSourceCheck: jinjava's version
            // also strips spaces before a tag that follows text on the same line.
            .withLstripBlocks(false)
            // Jinja drops one final newline of the template source (keep_trailing_newline=False);
            // jinjava's switch trims the output instead, so TemplateSourceCheck.adapt does it.
            .withKeepTrailingNewline(true)
            .withElResolver(resolver)
            .withLegacyOverrides(
                // Every Jinja2-compatibility switch of jinjava except
                // whitespaceRequiredWithinTokens, which breaks "{%-" at the start of a template.
                LegacyOverrides.newBuilder()
                    .withEvaluateMapKeys(true)
                    .withIterateOverMapKeys(true)
                    .withUsePyishObjectMapper(true)
                    .withUseNaturalOperatorPrecedence(true)
                    .withParseWhitespaceControlStrictly(true)
                    .withAllowAdjacentTextNodes(true)
                    .withUseTrimmingForNotesAndExpressions(true)
                    .withKeepNullableLoopValues(true)
                    .withHandleBackslashInQuotesOnly(true)
                    .build())
            .build();
    jinjava = new Jinjava(config);
    jinjava.registerFilter(new ToJsonFilter());
    jinjava.registerFilter(new LoopIfFilter());
    jinjava.registerTag(new GenerationTag());
    PythonTypeTests.all().forEach(jinjava::registerExpTest);
    jinjava.registerFunction(
        new ELFunctionDefinition(
            "", "raise_exception", TemplateGlobals.class, "raiseException", Object.class));
    jinjava.registerFunction(
        new ELFunctionDefinition(
            "", "strftime_now", TemplateGlobals.class, "strftimeNow", Object.class));
  }

  static JinjaEnvironment get() {
    return INSTANCE;
  }

  Context globals() {
    return jinjava.getGlobalContext();
  }

  /** Parse errors of a template, without rendering it. */
  List<TemplateError> parseErrors(String source) {
    JinjavaInterpreter interpreter = jinjava.newInterpreter();
    interpreter.parse(source);
    return interpreter.getErrorsCopy();
  }

  RenderResult render(String source, Map<String, Object> variables) {
    return jinjava.renderForResult(source, variables);
  }
}
