package dln.diag;

import static dln.diag.Severity.ERROR;
import static dln.diag.Severity.WARNING;

/**
 * Every diagnostic the compiler can report, named for what went wrong, with its code, severity and
 * message template (as javac's {@code Errors.X} and ANTLR's {@code ErrorType}). Passes never print;
 * they report a diagnostic by name with arguments ({0}, {1}, ... in the template) to
 * {@link Diagnostics}: {@code diags.report(Diag.WrongInputRank, span, "dense", "a 1-D", shape)}.
 * Users see the code ({@code error[DLN041]}), which the language server and docs/LANGUAGE.md
 * (section 8, with the names) show too.
 *
 * <p>Each code has an example under compiler/src/test/resources/diagnostics, and a test fails when
 * one is missing. Codes are never reused; a retired code keeps its number.
 */
public enum Diag {
    // Lexical and syntax errors: the file could not be read as DLN.
    SyntaxError("DLN001", ERROR, "{0}"),
    UnterminatedString("DLN002", ERROR, "unterminated string"),
    InvalidEscape("DLN003", ERROR, "invalid escape `{0}` in string"),
    UnexpectedCharacter("DLN004", ERROR, "unexpected character {0}"),
    UnterminatedComment("DLN005", ERROR, "unterminated block comment"),
    NumberOutOfRange("DLN006", ERROR, "number `{0}` is out of range"),
    NestedTooDeeply("DLN007", ERROR, "input is nested too deeply ({0})"),
    UnreadableFile("DLN008", ERROR, "cannot read {0}: {1}"),
    ImportNotAllowed("DLN009", ERROR, "cannot import \"{0}\": {1}"),

    // Declarations, names and imports.
    ImportNotFound("DLN010", ERROR, "cannot import \"{0}\": no such file ({1})"),
    ImportCycle("DLN011", ERROR, "import cycle: {0}"),
    AlreadyDefined("DLN012", ERROR, "`{0}` is already defined"),
    UndefinedName("DLN013", ERROR, "`{0}` is not defined"),
    UnknownLayer("DLN014", ERROR, "unknown layer `{0}`"),
    NotALayer("DLN015", ERROR, "`{0}` is {1}, not a layer"),
    UnusedName("DLN017", WARNING, "`{0}` is never used"),
    DuplicateLayerName("DLN018", ERROR, "two layers are named `{0}`"),

    // Constants and values.
    DivisionByZero("DLN020", ERROR, "division by zero"),
    NotACompileTimeValue("DLN021", ERROR, "{0} must be a compile-time number or string, but `{1}` is {2}"),
    ConstantDependsOnItself("DLN022", ERROR, "constant `{0}` depends on itself: {1}"),
    ArithmeticOnNonNumber("DLN023", ERROR, "arithmetic needs numbers, but `{0}` is {1}"),
    ArithmeticOutOfRange("DLN024", ERROR, "result of constant arithmetic is out of range: {0}"),
    NumberTooLargeForFloat32("DLN025", ERROR, "number `{0}` is too large for float32"),

    // Arguments of layers, blocks, and train settings.
    MissingArgument("DLN030", ERROR, "{0} is missing its required {1} `{2}`"),
    UnknownArgument("DLN031", ERROR, "unknown {0} `{1}` for {2}"),
    DuplicateArgument("DLN032", ERROR, "{0} `{1}` is given twice"),
    TooManyPositionalArguments("DLN033", ERROR, "{0} takes {1}, but {2} given"),
    WrongArgumentKind("DLN034", ERROR, "`{0}` of {1} must be {2}, but got {3}"),
    ArgumentOutOfRange("DLN035", ERROR, "`{0}` of {1} must be {2}, but is {3}"),
    PositionalAfterNamed("DLN036", ERROR, "positional argument after a named one"),

    // Shapes.
    EmptyOutput("DLN040", ERROR, "output of {0} would be empty: {1}"),
    WrongInputRank("DLN041", ERROR, "{0} expects {1} input, but its input has shape {2}"),
    AddShapeMismatch("DLN042", ERROR, "add needs inputs of equal shape, got {0}"),
    ConcatShapeMismatch("DLN043", ERROR, "concat needs inputs whose shapes differ only in the first axis, got {0}"),
    WrongInputType("DLN044", ERROR, "{0}"),
    IgnoredInputEdge("DLN045", WARNING, "{0} ignores the last {1} of its {2} input: {3}"),
    WrongInputCount("DLN046", ERROR, "{0} takes {1}, but {2} given"),
    NotATensor("DLN047", ERROR, "{0} needs a tensor, but `{1}` is {2}"),
    TooLarge("DLN048", ERROR, "{0} is too large: {1}"),
    ArgumentsDoNotFitInput("DLN049", ERROR, "{0} {1}, but its input has shape {2}"),

    // Blocks and models.
    BlockCallsItself("DLN050", ERROR, "block `{0}` calls itself: {1}"),
    MissingReturn("DLN051", ERROR, "block `{0}` must end with `return`"),
    UnknownType("DLN052", ERROR, "unknown type `{0}`"),
    StatementNotAllowed("DLN053", ERROR, "{0} is not allowed in {1}"),
    MissingInputOrOutput("DLN054", ERROR, "model `{0}` has no {1}"),
    InvalidInputDimension("DLN055", ERROR, "input dimension must be a whole number of at least 1, but {0}"),
    UnusedBlock("DLN056", WARNING, "block `{0}` is never used"),

    // Train blocks.
    NoModelToTrain("DLN060", ERROR, "there is no model `{0}` to train"),
    UnknownSetting("DLN061", ERROR, "unknown setting `{0}`"),
    UnknownChoice("DLN062", ERROR, "unknown {0} `{1}`"),
    InvalidSetting("DLN063", ERROR, "setting `{0}` {1}"),
    LossDoesNotFitOutput("DLN064", ERROR, "loss `{0}` {1}"),
    PerceptronNeedsDenseAndStep("DLN065", ERROR, "the perceptron rule needs a model that is one dense layer followed by `step`, {0}"),
    MissingOptimizerOrLoss("DLN066", ERROR, "train block for `{0}` has no {1}"),
    InconsistentTraining("DLN067", ERROR, "{0}"),
    DuplicateTrainBlock("DLN068", ERROR, "model `{0}` already has a train block");

    private final String code;
    private final Severity severity;
    private final String template;

    Diag(String code, Severity severity, String template) {
        this.code = code;
        this.severity = severity;
        this.template = template;
    }

    /** The code users see and search for, e.g. {@code DLN041}. */
    public String code() { return code; }

    public Severity severity() { return severity; }

    public String template() { return template; }

    /** The diagnostic with this code ({@code DLN041}), or null if there is none. */
    public static Diag ofCode(String code) {
        for (Diag d : values()) if (d.code.equals(code)) return d;
        return null;
    }

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
