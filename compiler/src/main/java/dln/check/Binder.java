package dln.check;

import dln.ast.Expr;
import dln.check.Value.CallV;
import dln.check.Value.ListV;
import dln.check.Value.Num;
import dln.check.Value.Poison;
import dln.check.Value.Str;
import dln.check.Value.Sym;
import dln.diag.Diag;
import dln.diag.Diagnostics;
import dln.diag.Span;
import dln.net.Initializer;
import dln.net.ArgSpec;
import dln.net.ArgSpec.Kind;
import dln.net.Args;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Matches the arguments of a call against a table of {@link ArgSpec}s: positional ones first, then
 * named ones. Reports unknown, duplicate, missing, mistyped and out-of-range arguments, each at the
 * argument itself, and converts the good ones to Java values.
 */
final class Binder {
    static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** An argument as written, with its evaluated value. */
    record Given(Expr.Arg arg, Value value) {
        Span span() { return arg.span(); }
    }

    /** The converted arguments of one call; absent optional arguments without a default are missing. */
    static final class Bound implements Args {
        final Map<String, Object> values = new LinkedHashMap<>();
        final Map<String, Span> spans = new LinkedHashMap<>();
        boolean ok = true;

        public boolean has(String name) { return values.get(name) != null; }

        public long count(String name) { return (Long) values.get(name); }

        public double real(String name) { return ((Number) values.get(name)).doubleValue(); }

        public boolean flag(String name) { return (Boolean) values.get(name); }

        public String word(String name) { return (String) values.get(name); }

        public Initializer init(String name) { return (Initializer) values.get(name); }

        public long[] sizes(String name) { return (long[]) values.get(name); }

        Object raw(String name) { return values.get(name); }

        Span span(String name) { return spans.get(name); }

        /** The layer's initializer (`init:`), or null for the train block's default. */
        Initializer initOrDefault() { return values.containsKey("init") ? init("init") : null; }
    }

    private final Diagnostics diags;

    Binder(Diagnostics diags) {
        this.diags = diags;
    }

    /** Reports a name that is bound to nothing where a value is needed, suggesting a visible one. */
    interface Undefined {
        void report(Expr at, String name);
    }

    /**
     * @param owner   what is called, for messages: `dense`, `adam`
     * @param noun    what its arguments are called: `argument`, `optimizer setting`
     * @param positional how many leading specs may be given by position
     * @param undefined reports an argument value that names nothing
     */
    Bound bind(String owner, String noun, List<ArgSpec> specs, int positional, List<Given> args, Span call, Undefined undefined) {
        Bound bound = new Bound();
        Sorted sorted = sort(owner, noun, specs.stream().map(ArgSpec::name).toList(), positional, 0, args);
        bound.ok = sorted.ok();
        Map<String, Given> byName = sorted.byName();
        boolean misplaced = sorted.misplaced();
        List<Given> extra = sorted.extra();
        if (!extra.isEmpty()) {
            String takes = positional == 0 ? "no positional " + noun + "s"
                    : positional + " positional " + noun + (positional == 1 ? "" : "s") + " ("
                      + String.join(", ", specs.subList(0, positional).stream().map(ArgSpec::name).toList()) + ")";
            diags.report(Diag.TooManyPositionalArguments, extra.get(0).span(), owner, takes, wasGiven(positional + extra.size()))
                 .help(positional > 0 && positional < specs.size() ? "name the others, as in `" + specs.get(Math.min(positional, specs.size() - 1)).name() + ": ...`" : null);
            bound.ok = false;
        }
        for (ArgSpec spec : specs) {
            Given g = byName.get(spec.name());
            if (g == null) {
                if (spec.required()) {
                    missing(owner, noun, spec.name(), call, misplaced);
                    bound.ok = false;
                }
                bound.values.put(spec.name(), spec.defaultValue());
                continue;
            }
            bound.spans.put(spec.name(), g.span());
            if (g.value() instanceof Poison) {
                bound.ok = false;
                continue;
            }
            Object converted = convert(spec, g.value());
            if (converted == null) {
                Expr.Name name = undefinedName(spec, g);
                if (name != null) {
                    undefined.report(name, name.id());
                } else if (isRangeProblem(spec, g.value())) {
                    diags.report(Diag.ArgumentOutOfRange, g.arg().value().span(), spec.name(), owner, spec.expectation(), rangeValue(g.value()));
                } else {
                    diags.report(Diag.WrongArgumentKind, g.arg().value().span(), spec.name(), owner, spec.expectation(), described(g))
                         .help(spec.kind() == Kind.WORD && g.value() instanceof Sym s ? Suggest.didYouMean(s.name(), spec.words()) : null);
                }
                bound.ok = false;
                continue;
            }
            bound.values.put(spec.name(), converted);
        }
        return bound;
    }

    /**
     * The arguments of a call sorted onto parameter names: {@code byName} the given ones, {@code
     * extra} positional ones beyond the last positional parameter; {@code misplaced} when a
     * positional argument followed a named one.
     */
    record Sorted(Map<String, Given> byName, List<Given> extra, boolean ok, boolean misplaced) {}

    /**
     * Sorts arguments onto {@code names}, of which the first {@code positional} may be given by
     * position ({@code taken} of them already are, by piped inputs): positional ones in order, then
     * named ones. Reports unknown (DLN031, with a suggestion) and repeated (DLN032) names and a
     * positional argument after a named one (DLN036), each at the argument itself. The rules of
     * layer, train-setting and block calls alike.
     */
    Sorted sort(String owner, String noun, List<String> names, int positional, int taken, List<Given> args) {
        Map<String, Given> byName = new LinkedHashMap<>();
        List<Given> extra = new ArrayList<>();
        int position = taken;
        boolean sawNamed = false, misplaced = false, ok = true;
        for (Given g : args) {
            if (g.arg().named()) {
                sawNamed = true;
                String label = g.arg().label().id();
                if (!names.contains(label)) {
                    diags.report(Diag.UnknownArgument, g.arg().label().span(), noun, label, owner)
                         .help(() -> Suggest.didYouMean(label, names));
                    ok = false;
                } else if (byName.containsKey(label)) {
                    diags.report(Diag.DuplicateArgument, g.arg().label().span(), noun, label)
                         .note("first given at " + byName.get(label).span().where());
                    ok = false;
                } else {
                    byName.put(label, g);
                }
            } else if (sawNamed) {
                diags.report(Diag.PositionalAfterNamed, g.span())
                     .help("give positional arguments first, then named ones, as in `conv2d(16, kernel: 3)`");
                ok = false;
                misplaced = true;
            } else if (position < positional) {
                byName.put(names.get(position++), g);
            } else {
                extra.add(g);
            }
        }
        return new Sorted(byName, extra, ok, misplaced);
    }

    /** Reports a required argument that was not given; after a misplaced positional argument it is unclear which was meant, so nothing is said. */
    void missing(String owner, String noun, String name, Span call, boolean misplaced) {
        if (!misplaced) diags.report(Diag.MissingArgument, call, owner, noun, name);
    }

    /**
     * The name in an argument that is bound to nothing where a number or string is needed (`units:
     * hiden_units`, `kernel: [3, k]`), or null. Option words (`true`, `xavier`) are not names here.
     */
    private static Expr.Name undefinedName(ArgSpec spec, Given g) {
        if (spec.kind() == Kind.WORD || spec.kind() == Kind.BOOL || spec.kind() == Kind.NAME || spec.kind() == Kind.INIT
                || spec.kind() == Kind.ANY) {
            return null;
        }
        Expr e = g.arg().value();
        if (g.value() instanceof Sym && e instanceof Expr.Name n) return n;
        if (g.value() instanceof ListV l && e instanceof Expr.ListExpr list && list.items().size() == l.items().size()) {
            for (int i = 0; i < l.items().size(); i++) {
                if (l.items().get(i) instanceof Sym && list.items().get(i) instanceof Expr.Name n) return n;
            }
        }
        return null;
    }

    /** The value of an argument in words; a call such as `normal(-0.01)` as written. */
    private static String described(Given g) {
        return g.value() instanceof CallV ? "`" + g.arg().value().span().text() + "`" : Value.describe(g.value());
    }

    /** `none was`, `1 was`, `3 were`: the end of "takes ..., but N given". */
    static String wasGiven(int n) {
        return n == 0 ? "none was" : n + (n == 1 ? " was" : " were");
    }

    /** `1 parameter`, `2 parameters`. */
    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static ArgSpec find(List<ArgSpec> specs, String name) {
        for (ArgSpec s : specs) if (s.name().equals(name)) return s;
        return null;
    }

    /** The Java value for a good argument, or null when it does not fit the spec. */
    static Object convert(ArgSpec spec, Value v) {
        return switch (spec.kind()) {
            case COUNT -> whole(v, 1);
            case NONNEG_INT -> whole(v, 0);
            case SIZES -> sizes(v, spec.dims(), 1);
            case PADDING -> sizes(v, spec.dims(), 0);
            case RATE -> real(v, 0, true, 1, false);
            case FRACTION -> real(v, 0, false, 1, false);
            case UNIT -> real(v, 0, true, 1, true);
            case POSITIVE -> real(v, 0, false, Double.POSITIVE_INFINITY, true);
            case NONNEG -> real(v, 0, true, Double.POSITIVE_INFINITY, true);
            case REAL -> v instanceof Num n ? n.value() : null;
            case BOOL -> v instanceof Sym s && (s.name().equals("true") || s.name().equals("false")) ? s.name().equals("true") : null;
            case NAME -> name(v);
            case INIT -> init(v);
            case WORD -> v instanceof Sym s && spec.words().contains(s.name()) ? s.name() : null;
            case STRING -> v instanceof Str s ? s.value() : null;
            case STRINGS -> v instanceof Str s ? s.value()
                    : v instanceof ListV l && !l.items().isEmpty() && l.items().stream().allMatch(i -> i instanceof Str) ? v : null;
            case ANY -> v;
        };
    }

    private static boolean isRangeProblem(ArgSpec spec, Value v) {
        if (v instanceof Num n) {
            return switch (spec.kind()) {
                case COUNT, NONNEG_INT, SIZES, PADDING -> n.isWhole();
                case RATE, FRACTION, UNIT, POSITIVE, NONNEG -> true;
                default -> false;
            };
        }
        return v instanceof ListV l && (spec.kind() == Kind.SIZES || spec.kind() == Kind.PADDING) && l.items().size() == spec.dims()
                && l.items().stream().allMatch(i -> i instanceof Num n && n.isWhole());
    }

    private static String rangeValue(Value v) {
        if (v instanceof Num n) return Value.format(n.value());
        if (v instanceof ListV l) return "[" + Value.list(l.items().stream().map(i -> Value.format(((Num) i).value())).toList()) + "]";
        return Value.describe(v);
    }

    private static Long whole(Value v, long min) {
        return v instanceof Num n && n.isWhole() && n.value() >= min ? (long) n.value() : null;
    }

    private static long[] sizes(Value v, int dims, long min) {
        if (v instanceof Num) {
            Long one = whole(v, min);
            if (one == null) return null;
            long[] out = new long[Math.max(dims, 1)];
            java.util.Arrays.fill(out, one);
            return out;
        }
        if (v instanceof ListV l && l.items().size() == dims) {
            long[] out = new long[dims];
            for (int i = 0; i < dims; i++) {
                Long one = whole(l.items().get(i), min);
                if (one == null) return null;
                out[i] = one;
            }
            return out;
        }
        return null;
    }

    private static Double real(Value v, double lo, boolean loIn, double hi, boolean hiIn) {
        if (!(v instanceof Num n)) return null;
        double x = n.value();
        boolean ok = (loIn ? x >= lo : x > lo) && (hiIn ? x <= hi : x < hi);
        return ok ? x : null;
    }

    private static String name(Value v) {
        String s = v instanceof Sym sym ? sym.name() : v instanceof Str str ? str.value() : null;
        return s != null && IDENTIFIER.matcher(s).matches() ? s : null;
    }

    private static Initializer init(Value v) {
        if (v instanceof Sym s) {
            return switch (s.name()) {
                case "zeros", "xavier", "he_normal", "he_uniform" -> new Initializer(s.name(), 0);
                default -> null;
            };
        }
        if (v instanceof CallV c && (c.name().equals("normal") || c.name().equals("uniform"))) {
            Value arg = c.positional().size() == 1 && c.named().isEmpty() ? c.positional().get(0)
                    : c.positional().isEmpty() && c.named().size() == 1 ? c.named().get(c.name().equals("normal") ? "std" : "limit")
                    : null;
            if (arg instanceof Num n && n.value() > 0 && Double.isFinite(n.value())) return new Initializer(c.name(), n.value());
        }
        return null;
    }
}
