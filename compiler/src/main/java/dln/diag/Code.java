package dln.diag;

import static dln.diag.Severity.ERROR;
import static dln.diag.Severity.WARNING;

/**
 * Every diagnostic the compiler can report: its code, severity and message template. Passes never
 * print; they report a code with arguments ({0}, {1}, ... in the template) to {@link Diagnostics}.
 * Each code has an example under compiler/src/test/resources/diagnostics, and a test fails when
 * one is missing. Codes are never reused; a retired code keeps its number.
 */
public enum Code {
    // Lexical and syntax errors: the file could not be read as DLN.
    DLN001(ERROR, "{0}"),
    DLN002(ERROR, "unterminated string"),
    DLN003(ERROR, "invalid escape `{0}` in string"),
    DLN004(ERROR, "unexpected character {0}"),
    DLN005(ERROR, "unterminated block comment"),
    DLN006(ERROR, "number `{0}` is out of range"),
    DLN007(ERROR, "input is nested too deeply ({0})"),
    DLN008(ERROR, "cannot read {0}: {1}"),
    DLN009(ERROR, "cannot import \"{0}\": {1}"),

    // Declarations, names and imports.
    DLN010(ERROR, "cannot import \"{0}\": no such file ({1})"),
    DLN011(ERROR, "import cycle: {0}"),
    DLN012(ERROR, "`{0}` is already defined"),
    DLN013(ERROR, "`{0}` is not defined"),
    DLN014(ERROR, "unknown layer `{0}`"),
    DLN015(ERROR, "`{0}` is {1}, not a layer"),
    DLN017(WARNING, "`{0}` is never used"),
    DLN018(ERROR, "two layers are named `{0}`"),

    // Constants and values.
    DLN020(ERROR, "division by zero"),
    DLN021(ERROR, "{0} must be a compile-time number or string, but `{1}` is {2}"),
    DLN022(ERROR, "constant `{0}` depends on itself: {1}"),
    DLN023(ERROR, "arithmetic needs numbers, but `{0}` is {1}"),
    DLN024(ERROR, "result of constant arithmetic is out of range: {0}"),
    DLN025(ERROR, "number `{0}` is too large for float32"),

    // Arguments of layers, blocks, and train settings.
    DLN030(ERROR, "{0} is missing its required {1} `{2}`"),
    DLN031(ERROR, "unknown {0} `{1}` for {2}"),
    DLN032(ERROR, "{0} `{1}` is given twice"),
    DLN033(ERROR, "{0} takes {1}, but {2} given"),
    DLN034(ERROR, "`{0}` of {1} must be {2}, but got {3}"),
    DLN035(ERROR, "`{0}` of {1} must be {2}, but is {3}"),
    DLN036(ERROR, "positional argument after a named one"),

    // Shapes.
    DLN040(ERROR, "output of {0} would be empty: {1}"),
    DLN041(ERROR, "{0} expects {1} input, but its input has shape {2}"),
    DLN042(ERROR, "add needs inputs of equal shape, got {0}"),
    DLN043(ERROR, "concat needs inputs whose shapes differ only in the first axis, got {0}"),
    DLN044(ERROR, "{0}"),
    DLN045(WARNING, "{0} ignores the last {1} of its {2} input: {3}"),
    DLN046(ERROR, "{0} takes {1}, but {2} given"),
    DLN047(ERROR, "{0} needs a tensor, but `{1}` is {2}"),
    DLN048(ERROR, "{0} is too large: {1}"),

    // Blocks and models.
    DLN050(ERROR, "block `{0}` calls itself: {1}"),
    DLN051(ERROR, "block `{0}` must end with `return`"),
    DLN052(ERROR, "unknown type `{0}`"),
    DLN053(ERROR, "{0} is not allowed in {1}"),
    DLN054(ERROR, "model `{0}` has no {1}"),
    DLN055(ERROR, "input dimension must be a whole number of at least 1, but {0}"),
    DLN056(WARNING, "block `{0}` is never used"),

    // Train blocks.
    DLN060(ERROR, "there is no model `{0}` to train"),
    DLN061(ERROR, "unknown setting `{0}`"),
    DLN062(ERROR, "unknown {0} `{1}`"),
    DLN063(ERROR, "setting `{0}` {1}"),
    DLN064(ERROR, "loss `{0}` {1}"),
    DLN065(ERROR, "the perceptron rule needs a model that is one dense layer followed by `step`, {0}"),
    DLN066(ERROR, "train block for `{0}` has no {1}"),
    DLN067(ERROR, "{0}"),
    DLN068(ERROR, "model `{0}` already has a train block");

    private final Severity severity;
    private final String template;

    Code(Severity severity, String template) {
        this.severity = severity;
        this.template = template;
    }

    public Severity severity() { return severity; }

    public String template() { return template; }

    /** The template with {0}, {1}, ... replaced by the arguments' string forms. */
    public String format(Object... args) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            int close = template.indexOf('}', i);
            if (c == '{' && close > i + 1 && close - i <= 3 && Character.isDigit(template.charAt(i + 1))) {
                int index = Integer.parseInt(template.substring(i + 1, close));
                out.append(index < args.length ? String.valueOf(args[index]) : "?");
                i = close;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
