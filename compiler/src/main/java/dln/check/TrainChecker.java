package dln.check;

import static dln.net.ArgSpec.optional;
import static dln.net.ArgSpec.required;

import dln.ast.Decl;
import dln.ast.Expr;
import dln.check.Binder.Given;
import dln.check.Resolver.Resolution;
import dln.check.Value.ListV;
import dln.check.Value.Num;
import dln.check.Value.Poison;
import dln.check.Value.Sym;
import dln.diag.Diag;
import dln.diag.Diagnostics;
import dln.diag.Span;
import dln.net.Args;
import dln.net.DType;
import dln.net.Optimizer;
import dln.net.Shape;
import dln.net.Training;
import dln.op.Activation;
import dln.net.ArgSpec;
import dln.net.ArgSpec.Kind;
import dln.op.Network;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Checks the train blocks of the main file. Every setting is `key value, value, ...`; this pass
 * knows each key, converts its values (function values such as `adam(lr: 1e-3)` through the same
 * {@link Binder} as layer arguments) and checks what depends on the model: the loss against the
 * output layer, the perceptron rule against the architecture, augmentations against the input.
 */
public final class TrainChecker {

    /** A function-like value of a setting: its arguments, the first {@code positional} by position. */
    record Fn(List<ArgSpec> args, int positional) {}

    /** A setting's value kept as its name and arguments (schedules, regularizers, augmentations). */
    private static final BiFunction<String, Args, Training.Call> AS_CALL =
            (name, args) -> new Training.Call(name, new LinkedHashMap<>(((Binder.Bound) args).values));

    private static <S> Map<String, Fn> view(Map<String, S> table, Function<S, Fn> fn) {
        Map<String, Fn> out = new LinkedHashMap<>();
        table.forEach((name, spec) -> out.put(name, fn.apply(spec)));
        return java.util.Collections.unmodifiableMap(out);
    }

    static final Map<String, Fn> OPTIMIZERS = view(Optimizer.TABLE, spec -> new Fn(spec.args(), spec.positional()));

    private static final ArgSpec WARMUP = optional("warmup", Kind.NONNEG_INT, 0L);

    /** Every schedule also takes `warmup:`, epochs of linear warm-up before it (dln.train.LearningRates). */
    static final Map<String, Fn> SCHEDULES = Map.of(
            "step", new Fn(List.of(required("every", Kind.COUNT), optional("factor", Kind.FRACTION, 0.1), WARMUP), 2),
            "exponential", new Fn(List.of(required("gamma", Kind.FRACTION), WARMUP), 1),
            "cosine", new Fn(List.of(optional("min_lr", Kind.NONNEG, 0.0), WARMUP), 1),
            "plateau", new Fn(List.of(optional("factor", Kind.FRACTION, 0.1), optional("patience", Kind.NONNEG_INT, 10L), WARMUP), 2));

    /** Gradient clipping: clip_grad_norm_ over every gradient together, or clip_grad_value_. */
    static final Map<String, Fn> CLIPS = Map.of(
            "norm", new Fn(List.of(required("max", Kind.POSITIVE)), 1),
            "value", new Fn(List.of(required("max", Kind.POSITIVE)), 1));

    static final Map<String, Fn> REGULARIZERS = Map.of(
            "l1", new Fn(List.of(required("lambda", Kind.NONNEG)), 1),
            "l2", new Fn(List.of(required("lambda", Kind.NONNEG)), 1));

    static final Map<String, Fn> AUGMENTS = Map.of(
            "shift", new Fn(List.of(required("pixels", Kind.COUNT)), 1),
            "flip", new Fn(List.of(ArgSpec.word("axis", null, "horizontal", "vertical")), 1),
            "noise", new Fn(List.of(required("std", Kind.POSITIVE)), 1));

    static final Map<String, Fn> SOURCES = Map.of(
            "idx", new Fn(List.of(required("images", Kind.STRING), optional("labels", Kind.STRING, null),
                    optional("scale", Kind.POSITIVE, 1.0)), 0),
            "csv", new Fn(List.of(required("path", Kind.STRING), optional("label_column", Kind.ANY, null),
                    optional("target_columns", Kind.ANY, null), optional("header", Kind.BOOL, true),
                    optional("scale", Kind.POSITIVE, 1.0)), 1),
            "npy", new Fn(List.of(required("inputs", Kind.STRINGS), required("targets", Kind.STRINGS)), 0),
            "inline", new Fn(List.of(required("inputs", Kind.ANY), required("targets", Kind.ANY)), 0));

    static final Map<String, Fn> EARLY_STOP = Map.of(
            "early_stop", new Fn(List.of(optional("monitor", Kind.NAME, "val_loss"), optional("patience", Kind.NONNEG_INT, 5L),
                    optional("min_delta", Kind.NONNEG, 0.0)), 0));

    static final Map<String, Fn> SPLIT = Map.of(
            "split", new Fn(List.of(required("train", Kind.UNIT), optional("validation", Kind.UNIT, 0.0),
                    optional("test", Kind.UNIT, 0.0)), 0));

    static final List<String> SETTINGS = List.of("data", "test", "validation", "split", "loss", "loss_weights", "optimizer", "schedule",
            "clip", "regularize", "init", "batch", "epochs", "seed", "shuffle", "augment", "early_stop", "checkpoint", "metrics", "targets");

    static final Set<String> LOSSES = Set.of("mse", "mae", "cross_entropy", "binary_cross_entropy", "hinge");
    /** Where the targets come from besides the data source: `targets inputs` (an autoencoder). */
    static final Set<String> TARGETS = Set.of(Training.INPUTS);
    static final Set<String> METRICS = Set.of("accuracy", "mae", "mse", "loss");

    private final Resolution resolution;
    private final Diagnostics diags;
    private final Constants constants;
    private final Binder binder;

    public TrainChecker(Resolution resolution, Diagnostics diags, ShapeChecker shapes) {
        this.resolution = resolution;
        this.diags = diags;
        this.constants = shapes.constants();
        this.binder = new Binder(diags);
    }

    /** The checked train blocks of the main file, by model name; a block with errors maps to null. */
    public Map<String, Training> check(Map<String, Network> networks) {
        Map<String, Training> out = new LinkedHashMap<>();
        Scope main = resolution.main();
        for (Decl.Train train : main.unit.all(Decl.Train.class)) {
            if (main.trains.get(train.model().id()) != train) continue;
            out.put(train.model().id(), new Check(train, main, networks.get(train.model().id())).run());
        }
        return out;
    }

    /** The check of one train block. */
    private final class Check {
        final Decl.Train train;
        final Scope scope;
        final Network net;
        final Map<String, Decl.Setting> settings = new LinkedHashMap<>();
        int errorsBefore;

        Check(Decl.Train train, Scope scope, Network net) {
            this.train = train;
            this.scope = scope;
            this.net = net;
        }

        Training run() {
            errorsBefore = diags.errorCount();
            for (Decl.Setting s : train.settings()) {
                String key = s.key().id();
                if (!SETTINGS.contains(key)) {
                    diags.report(Diag.UnknownSetting, s.key().span(), key).help(() -> Suggest.didYouMean(key, SETTINGS));
                } else if (settings.containsKey(key)) {
                    diags.report(Diag.DuplicateArgument, s.key().span(), "setting", key)
                         .note("first given at " + settings.get(key).key().span().where());
                } else {
                    settings.put(key, s);
                }
            }
            Training.Source data = source("data");
            Training.Source test = source("test");
            Double validation = (Double) single("validation", Kind.FRACTION, null);
            Training.Split split = split();
            List<Training.OutputLoss> losses = losses();
            String loss = losses.isEmpty() ? null : losses.get(0).loss();
            Optimizer optimizer = function("optimizer", "optimizer", OPTIMIZERS, (name, args) -> Optimizer.TABLE.get(name).build().apply(args));
            Training.Call schedule = function("schedule", "schedule", SCHEDULES);
            Training.Call clip = function("clip", "clip", CLIPS);
            List<Training.Call> regularizers = functions("regularize", "regularizer", REGULARIZERS);
            dln.net.Initializer init = (dln.net.Initializer) single("init", Kind.INIT, null);
            long batch = batch();
            Long epochs = (Long) single("epochs", Kind.COUNT, 10L);
            Long seed = (Long) single("seed", Kind.NONNEG_INT, 0L);
            Boolean shuffle = (Boolean) single("shuffle", Kind.BOOL, true);
            List<Training.Call> augment = functions("augment", "augmentation", AUGMENTS);
            Training.EarlyStop earlyStop = earlyStop();
            String checkpoint = (String) single("checkpoint", Kind.STRING, null);
            List<String> metrics = metrics();
            String targets = word("targets", TARGETS);

            double l1 = 0, l2 = 0;
            for (Training.Call r : regularizers) {
                if (r.name().equals("l1")) l1 = r.real("lambda"); else l2 = r.real("lambda");
            }
            consistency(validation, split, test, loss, optimizer, earlyStop, metrics);
            warmup(schedule, epochs == null ? 10 : epochs);
            targetsOfIdx("data", data, targets);
            targetsOfIdx("test", test, targets);
            if (net != null) {
                againstModel(losses, optimizer, augment, data, test);
                if (targets != null) inputsAsTargets(losses.isEmpty() ? null : losses.get(0).loss());
            }
            if (diags.errorCount() > errorsBefore) return null;
            return new Training(train.model().id(), plain(data), plain(test), validation, split, losses, optimizer, schedule, clip, l1, l2, init,
                    batch, epochs == null ? 10 : epochs, seed == null ? 0 : seed, shuffle == null || shuffle, augment,
                    earlyStop, checkpoint, metrics, targets, train.span());
        }

        Value eval(Expr e) {
            return constants.eval(e, name -> constants.lookup(scope, name));
        }

        void undefined(Expr at, String name) {
            constants.undefined(at, name, scope, Map.of());
        }

        /** The only value of a setting, converted to {@code kind}; {@code fallback} when the setting is absent. */
        Object single(String key, Kind kind, Object fallback) {
            Decl.Setting s = settings.get(key);
            if (s == null) return fallback;
            Expr.Arg arg = only(s);
            if (arg == null) return fallback;
            Value v = eval(arg.value());
            if (v instanceof Poison) return fallback;
            ArgSpec spec = optional(key, kind, fallback);
            Object converted = Binder.convert(spec, v);
            if (converted == null) {
                String got = v instanceof Value.CallV ? "`" + arg.value().span().text() + "`" : Value.describe(v);
                diags.report(Diag.InvalidSetting, arg.value().span(), key, "must be " + spec.expectation() + ", but is " + got)
                     .help(v instanceof Sym sym && kind == Kind.INIT ? Suggest.didYouMean(sym.name(),
                             List.of("zeros", "normal", "uniform", "xavier", "he_normal", "he_uniform")) : null);
                return fallback;
            }
            return converted;
        }

        /** A setting's one unlabeled value, or null after reporting. */
        Expr.Arg only(Decl.Setting s) {
            if (s.values().size() != 1) {
                diags.report(Diag.InvalidSetting, s.values().get(1).span(), s.key().id(), "takes one value, but " + s.values().size() + " were given");
                return null;
            }
            Expr.Arg arg = s.values().get(0);
            if (arg.named()) {
                diags.report(Diag.InvalidSetting, arg.label().span(), s.key().id(), "takes a plain value, not `" + arg.label().id() + ":`");
                return null;
            }
            return arg;
        }

        String word(String key, Set<String> words) {
            Decl.Setting s = settings.get(key);
            if (s == null) return null;
            Expr.Arg arg = only(s);
            if (arg == null) return null;
            if (arg.value() instanceof Expr.Name n && words.contains(n.id())) return n.id();
            String wrong = arg.value() instanceof Expr.Name n ? n.id() : arg.value() instanceof Expr.Call c ? c.callee().id() : null;
            diags.report(Diag.UnknownChoice, arg.value().span(), key, arg.value().span().text())
                 .help(wrong == null ? "the choices are " + String.join(", ", sorted(words)) : Suggest.didYouMean(wrong, words));
            return null;
        }

        /**
         * Each output's loss and weight, in the model's output order: `loss mse` for a model with one
         * output, `loss y: cross_entropy, z: mse` naming every output of a model with several, and
         * `loss_weights z: 0.5` (each weight 1 unless given). Empty without a valid loss.
         */
        List<Training.OutputLoss> losses() {
            Decl.Setting s = settings.get("loss");
            Map<String, Double> weights = lossWeights();
            if (s == null) return List.of();
            List<String> outputs = net == null ? List.of() : net.outputs().stream().map(Network.Output::name).toList();
            if (s.values().stream().noneMatch(Expr.Arg::named)) {
                String loss = word("loss", LOSSES);
                if (loss == null) return List.of();
                if (outputs.size() > 1) {
                    diags.report(Diag.InconsistentTraining, s.values().get(0).span(), "`" + net.name() + "` has " + outputs.size()
                            + " outputs, so `loss` names each output's loss")
                         .help("as in `loss " + String.join(", ", outputs.stream().map(o -> o + ": " + loss).toList()) + "`");
                    return List.of();
                }
                String output = outputs.isEmpty() ? null : outputs.get(0);
                return List.of(new Training.OutputLoss(output, loss, weights.getOrDefault(output, 1.0)));
            }
            Map<String, String> byOutput = new LinkedHashMap<>();
            boolean unknown = false;   // a misspelt output would be reported again as one without a loss
            for (Expr.Arg a : s.values()) {
                if (!a.named()) {
                    diags.report(Diag.InvalidSetting, a.span(), "loss", "names the output of each loss, as in `" + outputs.get(0) + ": mse`");
                    continue;
                }
                String output = a.label().id();
                if (!output(a, outputs)) {
                    unknown = true;
                    continue;
                }
                if (byOutput.containsKey(output)) {
                    diags.report(Diag.DuplicateArgument, a.label().span(), "the loss of output", output);
                    continue;
                }
                if (a.value() instanceof Expr.Name n && LOSSES.contains(n.id())) {
                    byOutput.put(output, n.id());
                    continue;
                }
                String wrong = a.value() instanceof Expr.Name n ? n.id() : null;
                diags.report(Diag.UnknownChoice, a.value().span(), "loss", a.value().span().text())
                     .help(() -> orChoices(wrong == null ? null : Suggest.didYouMean(wrong, LOSSES), LOSSES));
            }
            List<Training.OutputLoss> out = new ArrayList<>();
            for (String output : outputs) {
                if (!byOutput.containsKey(output)) {
                    if (unknown) continue;
                    diags.report(Diag.MissingOptimizerOrLoss, s.key().span(), train.model().id(), "loss for output `" + output + "`")
                         .help("add `" + output + ": mse` (or the loss it needs) to `loss`");
                    continue;
                }
                out.add(new Training.OutputLoss(output, byOutput.get(output), weights.getOrDefault(output, 1.0)));
            }
            return out.size() == outputs.size() ? out : List.of();
        }

        /** `loss_weights y: 1, z: 0.5`: a non-negative weight for each named output. */
        Map<String, Double> lossWeights() {
            Decl.Setting s = settings.get("loss_weights");
            Map<String, Double> out = new LinkedHashMap<>();
            if (s == null) return out;
            List<String> outputs = net == null ? List.of() : net.outputs().stream().map(Network.Output::name).toList();
            for (Expr.Arg a : s.values()) {
                if (!a.named()) {
                    diags.report(Diag.InvalidSetting, a.span(), "loss_weights", "names the output of each weight, as in `"
                            + (outputs.isEmpty() ? "y" : outputs.get(outputs.size() - 1)) + ": 0.5`");
                    continue;
                }
                if (!output(a, outputs)) continue;
                if (out.containsKey(a.label().id())) {
                    diags.report(Diag.DuplicateArgument, a.label().span(), "the weight of output", a.label().id());
                    continue;
                }
                Value v = eval(a.value());
                if (v instanceof Poison) continue;
                Object w = Binder.convert(optional("loss_weights", Kind.NONNEG, null), v);
                if (w == null) {
                    diags.report(Diag.InvalidSetting, a.value().span(), "loss_weights", "must be a number of at least 0, but is " + Value.describe(v));
                    continue;
                }
                out.put(a.label().id(), ((Number) w).doubleValue());
            }
            return out;
        }

        /** Whether a labelled value names an output of the model (reported if not; any name passes when the model has errors). */
        boolean output(Expr.Arg a, List<String> outputs) {
            String name = a.label().id();
            if (net == null || outputs.contains(name)) return true;
            diags.report(Diag.UnknownChoice, a.label().span(), "output", name)
                 .help(() -> orChoices(Suggest.didYouMean(name, outputs), new java.util.TreeSet<>(outputs)));
            return false;
        }

        long batch() {
            Decl.Setting s = settings.get("batch");
            if (s != null && s.values().size() == 1 && s.values().get(0).value() instanceof Expr.Name n && n.id().equals("all")) {
                return Training.ALL;
            }
            if (s != null && s.values().size() == 1 && !s.values().get(0).named()) {
                Value v = eval(s.values().get(0).value());
                if (!(v instanceof Poison) && Binder.convert(optional("batch", Kind.COUNT, null), v) == null) {
                    diags.report(Diag.InvalidSetting, s.values().get(0).value().span(), "batch",
                            "must be a whole number of at least 1 or `all`, but is " + Value.describe(v))
                         .help("`batch 1` updates after every example, `batch all` once per epoch");
                    return 32;
                }
            }
            return (Long) single("batch", Kind.COUNT, 32L);
        }

        Training.Call function(String key, String noun, Map<String, Fn> table) {
            return function(key, noun, table, AS_CALL);
        }

        /** The single function-like value of setting {@code key}, checked against {@code table} and built by {@code build}; null if absent or wrong. */
        <T> T function(String key, String noun, Map<String, Fn> table, BiFunction<String, Args, T> build) {
            Decl.Setting s = settings.get(key);
            if (s == null) return null;
            Expr.Arg arg = only(s);
            return arg == null ? null : call(arg, noun, table, build);
        }

        List<Training.Call> functions(String key, String noun, Map<String, Fn> table) {
            Decl.Setting s = settings.get(key);
            List<Training.Call> out = new ArrayList<>();
            if (s == null) return out;
            Map<String, Span> seen = new LinkedHashMap<>();
            for (Expr.Arg arg : s.values()) {
                Training.Call c = call(arg, noun, table, AS_CALL);
                if (c == null) continue;
                String identity = c.name().equals("flip") ? c.toString() : c.name();
                if (seen.containsKey(identity)) {
                    diags.report(Diag.DuplicateArgument, arg.span(), noun, c.name())
                         .note("first given at " + seen.get(identity).where());
                    continue;
                }
                seen.put(identity, arg.span());
                out.add(c);
            }
            return out;
        }

        /** `adam(lr: 1e-3)` or a bare `adam`, checked against its argument table. */
        <T> T call(Expr.Arg arg, String noun, Map<String, Fn> table, BiFunction<String, Args, T> build) {
            if (arg.named()) {
                diags.report(Diag.InvalidSetting, arg.label().span(), settingOf(arg), "takes a " + noun + ", not `" + arg.label().id() + ":`");
                return null;
            }
            Expr e = arg.value();
            Expr.Name callee = e instanceof Expr.Call c ? c.callee() : e instanceof Expr.Name n ? n : null;
            if (callee == null) {
                diags.report(Diag.UnknownChoice, e.span(), noun, e.span().text())
                     .help("the choices are " + String.join(", ", sorted(table.keySet())));
                return null;
            }
            Fn fn = table.get(callee.id());
            if (fn == null) {
                diags.report(Diag.UnknownChoice, callee.span(), noun, callee.id())
                     .help(() -> orChoices(Suggest.didYouMean(callee.id(), table.keySet()), table.keySet()));
                return null;
            }
            List<Given> givens = new ArrayList<>();
            if (e instanceof Expr.Call c) {
                for (Expr.Arg a : c.args()) givens.add(new Given(a, eval(a.value())));
            }
            Binder.Bound bound = binder.bind(callee.id(), noun + " setting", fn.args(), fn.positional(), givens, e.span(), this::undefined);
            if (!bound.ok) return null;
            return build.apply(callee.id(), bound);
        }

        String settingOf(Expr.Arg arg) {
            for (Decl.Setting s : train.settings()) if (s.values().contains(arg)) return s.key().id();
            return "?";
        }

        Training.Source source(String key) {
            Training.Call c = function(key, "data source", SOURCES);
            if (c == null) return null;
            if (c.name().equals("csv")) {
                Span at = settings.get(key).values().get(0).span();
                Object label = c.args().get("label_column");
                Object targets = c.args().get("target_columns");
                if (label != null && targets != null) {
                    diags.report(Diag.InvalidSetting, at, key, "gives both `label_column` and `target_columns`; a csv source has one or the other");
                    return null;
                }
                if (label != null && !isColumn((Value) label)) {
                    diags.report(Diag.InvalidSetting, at, key, "needs `label_column` as a column number from 0 or a column name, but it is "
                            + Value.describe((Value) label));
                    return null;
                }
                if (targets != null && !(targets instanceof ListV l && !l.items().isEmpty() && l.items().stream().allMatch(TrainChecker::isColumn))) {
                    diags.report(Diag.InvalidSetting, at, key, "needs `target_columns` as a list of column numbers or names, but it is "
                            + Value.describe((Value) targets));
                    return null;
                }
            }
            return new Training.Source(c.name(), c.args());
        }

        /** idx images without labels have no targets of their own: they need `targets inputs`. */
        void targetsOfIdx(String key, Training.Source source, String targets) {
            if (source == null || !source.kind().equals("idx") || source.args().get("labels") != null || targets != null) return;
            Span at = settings.get(key).values().get(0).span();
            diags.report(Diag.InvalidSetting, at, key, "reads idx images without `labels`, so its examples have no targets")
                 .help("give `labels:`, or add `targets inputs` to train the model to reproduce its inputs");
        }

        /**
         * `targets inputs`: the model reproduces its one input, so its output has the input's shape,
         * and the loss compares values (not cross-entropy over class labels, nor hinge's ±1).
         */
        void inputsAsTargets(String loss) {
            Span at = settings.get("targets").values().get(0).span();
            if (net.inputs().size() != 1 || net.outputs().size() != 1) {
                diags.report(Diag.InconsistentTraining, at, "`targets inputs` needs a model with one input and one output, but `" + net.name()
                        + "` has " + Binder.count(net.inputs().size(), "input") + " and " + Binder.count(net.outputs().size(), "output"));
                return;
            }
            Network.Input input = net.inputs().get(0);
            Network.Output output = net.outputs().get(0);
            Shape want = input.shape(), got = net.shapeOf(output.value());
            if (!want.equals(got)) {
                diags.report(Diag.InconsistentTraining, at, "`targets inputs` makes input `" + input.name() + "` " + want + " the target of output `"
                        + output.name() + "`, but the output has shape " + got)
                     .help("end the model with a layer that gives " + want);
            }
            if ("cross_entropy".equals(loss) || "hinge".equals(loss)) {
                diags.report(Diag.InconsistentTraining, at, "`targets inputs` compares the output with the input's values, but loss `" + loss
                        + "` takes " + ("hinge".equals(loss) ? "targets -1 and 1" : "class labels"))
                     .help("use mse, mae, or binary_cross_entropy for inputs in [0, 1]");
            }
        }

        /** The source with its arguments as plain Java values, for code generation and the trainer. */
        private static Training.Source plain(Training.Source s) {
            if (s == null) return null;
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            for (var e : s.args().entrySet()) out.put(e.getKey(), plain(e.getValue()));
            return new Training.Source(s.kind(), out);
        }

        /** A checked value as plain Java: Double, String (also for names), Boolean, or a List of those. */
        private static Object plain(Object v) {
            if (v instanceof Value.Num n) return n.value();
            if (v instanceof Value.Str s) return s.value();
            if (v instanceof Value.Sym sym) return sym.name().equals("true") ? Boolean.TRUE : sym.name().equals("false") ? Boolean.FALSE : sym.name();
            if (v instanceof ListV l) return l.items().stream().map(Check::plain).toList();
            return v;
        }

        Training.Split split() {
            Decl.Setting s = settings.get("split");
            if (s == null) return null;
            List<Given> givens = new ArrayList<>();
            for (Expr.Arg a : s.values()) givens.add(new Given(a, eval(a.value())));
            Binder.Bound b = binder.bind("split", "fraction", SPLIT.get("split").args(), 0, givens, s.span(), this::undefined);
            if (!b.ok) return null;
            if (b.real("train") == 0) {
                diags.report(Diag.ArgumentOutOfRange, b.span("train"), "train", "split", "above 0", 0);
                return null;
            }
            double sum = b.real("train") + b.real("validation") + b.real("test");
            if (Math.abs(sum - 1) > 1e-6) {
                diags.report(Diag.InconsistentTraining, s.span(), "the split fractions must add up to 1, but add up to " + Value.format(sum));
                return null;
            }
            return new Training.Split(b.real("train"), b.real("validation"), b.real("test"));
        }

        Training.EarlyStop earlyStop() {
            Decl.Setting s = settings.get("early_stop");
            if (s == null) return null;
            List<Given> givens = new ArrayList<>();
            for (Expr.Arg a : s.values()) givens.add(new Given(a, eval(a.value())));
            Binder.Bound b = binder.bind("early_stop", "setting", EARLY_STOP.get("early_stop").args(), 0, givens, s.span(), this::undefined);
            if (!b.ok) return null;
            return new Training.EarlyStop(b.word("monitor"), b.count("patience"), b.real("min_delta"));
        }

        List<String> metrics() {
            Decl.Setting s = settings.get("metrics");
            List<String> out = new ArrayList<>();
            if (s == null) return out;
            for (Expr.Arg a : s.values()) {
                if (!a.named() && a.value() instanceof Expr.Name n && METRICS.contains(n.id())) {
                    if (!out.contains(n.id())) out.add(n.id());
                    continue;
                }
                String wrong = a.value() instanceof Expr.Name n ? n.id() : null;
                diags.report(Diag.UnknownChoice, a.span(), "metric", a.span().text())
                     .help(() -> orChoices(wrong == null ? null : Suggest.didYouMean(wrong, METRICS), METRICS));
            }
            return out;
        }

        /** A warm-up must leave the schedule an epoch: `warmup: 5` over 5 epochs never reaches the rate. */
        void warmup(Training.Call schedule, long epochs) {
            if (schedule == null || ((Number) schedule.args().get("warmup")).longValue() < epochs) return;
            diags.report(Diag.InconsistentTraining, settings.get("schedule").values().get(0).span(),
                    "the warm-up of " + schedule.args().get("warmup") + " epochs leaves no epoch of the " + epochs + " to the schedule")
                 .help("make `warmup:` less than `epochs`");
        }

        void consistency(Double validation, Training.Split split, Training.Source test, String loss,
                         Optimizer optimizer, Training.EarlyStop earlyStop, List<String> metrics) {
            if (validation != null && settings.containsKey("split")) {
                diags.report(Diag.InconsistentTraining, settings.get("validation").key().span(),
                        "give either `validation` or `split`, not both").help("`split` already holds out a validation fraction");
            }
            if (split != null && split.test() > 0 && test != null) {
                diags.report(Diag.InconsistentTraining, settings.get("test").key().span(), "the test data is given twice: by `test` and by `split`");
            }
            boolean perceptron = optimizer instanceof Optimizer.Perceptron;
            if (perceptron && settings.containsKey("loss")) {
                diags.report(Diag.InconsistentTraining, settings.get("loss").key().span(), "the perceptron rule has its own update and uses no loss")
                     .help("remove the `loss` setting, or train with another optimizer");
            }
            if (!scope.models.containsKey(train.model().id())) return;
            if (optimizer == null && !settings.containsKey("optimizer")) {
                diags.report(Diag.MissingOptimizerOrLoss, train.model().span(), train.model().id(), "optimizer")
                     .help("add one, as in `optimizer adam(lr: 1e-3)`");
            }
            if (loss == null && !settings.containsKey("loss") && !perceptron) {
                diags.report(Diag.MissingOptimizerOrLoss, train.model().span(), train.model().id(), "loss")
                     .help("add one, as in `loss cross_entropy` for classifiers or `loss mse` for regression");
            }
            if (optimizer instanceof Optimizer.Sgd sgd && sgd.nesterov() && sgd.momentum() == 0) {
                diags.report(Diag.InvalidSetting, settings.get("optimizer").values().get(0).span(), "optimizer",
                        "uses Nesterov momentum, which needs a momentum above 0").help("add `momentum: 0.9`");
            }
            if (earlyStop != null) {
                String monitor = earlyStop.monitor();
                String metric = monitor.startsWith("val_") ? monitor.substring(4) : monitor;
                Span at = settings.get("early_stop").span();
                if (!metric.equals("loss") && !metrics.contains(metric)) {
                    diags.report(Diag.InconsistentTraining, at, "early_stop monitors `" + monitor + "`, which is not computed")
                         .help(METRICS.contains(metric) ? "add `metrics " + metric + "`" : "monitor `val_loss` or a metric in `metrics`");
                } else if (monitor.startsWith("val_") && validation == null && (split == null || split.validation() == 0)) {
                    diags.report(Diag.InconsistentTraining, at, "early_stop monitors `" + monitor + "`, but there is no validation data")
                         .help("hold some out with `validation 0.1`");
                }
            }
        }

        /** What the train block asks of the model: a fitting output for each loss, the perceptron's shape, images to augment. */
        void againstModel(List<Training.OutputLoss> losses, Optimizer optimizer, List<Training.Call> augment, Training.Source data,
                          Training.Source test) {
            Span at = train.model().span();
            if (optimizer instanceof Optimizer.Perceptron && net.outputs().size() != 1) {
                diags.report(Diag.InconsistentTraining, at, "the perceptron rule trains a model with one output, but `" + net.name() + "` has "
                        + net.outputs().size());
                return;
            }
            for (Training.OutputLoss loss : losses) fits(loss);
            if (net.outputs().size() > 1) {
                for (String m : List.of("mae", "mse")) {
                    if (!settings.containsKey("metrics") || !settings.get("metrics").values().stream().anyMatch(a -> a.value().span().text().equals(m))) continue;
                    diags.report(Diag.InconsistentTraining, settings.get("metrics").key().span(), "metric `" + m + "` compares one output with its targets, but `"
                            + net.name() + "` has " + net.outputs().size() + " outputs")
                         .help("the loss of a model with several outputs is the weighted sum of each output's; accuracy is the first output's");
                }
            }
            Network.Output output = net.outputs().get(0);
            Network.Layer last = net.producer(output.value());
            if (optimizer instanceof Optimizer.Perceptron) {
                boolean shapeOk = net.inputs().size() == 1 && net.layers().size() == 2
                        && net.layers().get(0).op() instanceof dln.op.Dense && is(net.layers().get(1), Activation.Fn.STEP)
                        && last == net.layers().get(1);
                if (!shapeOk) {
                    diags.report(Diag.PerceptronNeedsDenseAndStep, settings.get("optimizer").values().get(0).span(),
                            "but `" + net.name() + "` has " + Binder.count(net.layers().size(), "layer") + ": "
                            + String.join(" -> ", net.layers().stream().map(l -> l.op().kind()).toList()))
                         .help("train it with sgd or adam and a loss instead");
                }
            }
            for (Training.Call a : augment) {
                if (a.name().equals("noise")) {
                    for (Network.Input input : net.inputs()) {
                        if (input.dtype() != DType.INT) continue;
                        diags.report(Diag.InconsistentTraining, settings.get("augment").key().span(), "augmentation `noise` adds Gaussian noise to every input value, but `"
                                + input.name() + "` holds integer ids")
                             .help("noise suits float inputs; leave it out for a model with integer inputs");
                        break;
                    }
                    continue;
                }
                Shape in = net.inputs().get(0).shape();
                if (net.inputs().size() != 1) {
                    diags.report(Diag.InconsistentTraining, settings.get("augment").key().span(), "augmentation `" + a.name()
                            + "` needs a model with one image input, but `" + net.name() + "` has " + net.inputs().size() + " inputs");
                } else if (in.rank() != 3) {
                    diags.report(Diag.InconsistentTraining, settings.get("augment").key().span(), "augmentation `" + a.name()
                            + "` needs image inputs [channels, height, width], but `" + net.inputs().get(0).name()
                            + "` has shape " + in);
                }
            }
            for (String key : List.of("data", "test")) {
                Training.Source source = key.equals("data") ? data : test;
                if (source == null) continue;
                targetsFit(key, source);
                if (net.outputs().size() == 1 && source.kind().equals("inline")) inline(key, source, output, net.shapeOf(output.value()), losses.isEmpty() ? null : losses.get(0).loss());
                inputsFit(key, source);
            }
        }

        /** Whether {@code loss} suits its output: a softmax for cross-entropy, outputs in (0, 1) for binary cross-entropy, one unit for hinge. */
        void fits(Training.OutputLoss loss) {
            Network.Output output = net.outputs().stream().filter(o -> o.name().equals(loss.output())).findFirst().orElseThrow();
            Network.Layer last = net.producer(output.value());
            Shape shape = net.shapeOf(output.value());
            String from = last == null ? "the input" : last.op().kind();
            Span lossAt = lossSpan(loss.output());
            String name = loss.loss();
            if ("cross_entropy".equals(name) && !is(last, Activation.Fn.SOFTMAX)) {
                diags.report(Diag.LossDoesNotFitOutput, lossAt, name, "needs a softmax output, but `" + output.name() + "` comes from " + from)
                     .help("end the model with `-> softmax`");
            }
            if ("binary_cross_entropy".equals(name) && !is(last, Activation.Fn.SIGMOID) && !is(last, Activation.Fn.SOFTMAX)) {
                diags.report(Diag.LossDoesNotFitOutput, lossAt, name, "needs outputs in (0, 1), but `" + output.name() + "` comes from " + from)
                     .help("end the model with `-> sigmoid`");
            }
            if ("hinge".equals(name) && !shape.equals(Shape.of(1))) {
                diags.report(Diag.LossDoesNotFitOutput, lossAt, name, "needs one output unit, but `" + output.name() + "` has shape " + shape)
                     .help("hinge is a binary margin loss with targets -1 and 1; use cross_entropy for several classes");
            }
        }

        /** Where the loss of {@code output} is written: its labelled value, or the setting's only value. */
        Span lossSpan(String output) {
            for (Expr.Arg a : settings.get("loss").values()) if (!a.named() || a.label().id().equals(output)) return a.value().span();
            return settings.get("loss").span();
        }

        /**
         * A model with several inputs reads them from npy (one file per input, in declaration order)
         * or csv (each row the inputs one after another); idx holds images for one input.
         */
        void inputsFit(String key, Training.Source source) {
            Expr at = settings.get(key).values().get(0).value();
            int want = net.inputs().size();
            String names = String.join(", ", net.inputs().stream().map(i -> "`" + i.name() + "`").toList());
            if (source.kind().equals("npy")) {
                int given = source.args().get("inputs") instanceof ListV l ? l.items().size() : 1;
                if (given != want) {
                    Expr files = argument(at, "inputs");
                    diags.report(Diag.InconsistentTraining, files != null ? files.span() : at.span(), "npy data names " + Binder.count(given, "input file")
                            + ", but `" + net.name() + "` has " + Binder.count(want, "input") + " (" + names + ")")
                         .help(want == 1 ? "give one file: `inputs: \"x.npy\"`"
                                 : "give one file per input, in the order the model declares them: `inputs: [\"a.npy\", \"b.npy\"]`");
                }
            } else if (source.kind().equals("idx") && want != 1) {
                diags.report(Diag.InconsistentTraining, at.span(), "idx data holds images for one input, but `" + net.name() + "` has "
                        + Binder.count(want, "input") + " (" + names + ")")
                     .help("use npy data with one file per input, or csv rows holding the inputs one after another");
            }
        }

        /** A model with several outputs reads one npy targets file per output, in output order; the other sources hold one target. */
        void targetsFit(String key, Training.Source source) {
            Expr at = settings.get(key).values().get(0).value();
            int want = net.outputs().size();
            String names = String.join(", ", net.outputs().stream().map(o -> "`" + o.name() + "`").toList());
            if (!source.kind().equals("npy") && want > 1) {
                diags.report(Diag.InconsistentTraining, at.span(), source.kind() + " data holds one target per example, but `" + net.name() + "` has "
                        + Binder.count(want, "output") + " (" + names + ")")
                     .help("use npy data with one targets file per output, in output order: `targets: [\"a.npy\", \"b.npy\"]`");
                return;
            }
            int given = source.args().get("targets") instanceof ListV l ? l.items().size() : 1;
            if (source.kind().equals("npy") && given != want) {
                Expr files = argument(at, "targets");
                diags.report(Diag.InconsistentTraining, files != null ? files.span() : at.span(), "npy data names " + Binder.count(given, "targets file")
                        + ", but `" + net.name() + "` has " + Binder.count(want, "output") + " (" + names + ")")
                     .help(want == 1 ? "give one file: `targets: \"y.npy\"`" : "give one targets file per output, in the order the model declares them");
            }
        }

        /** Inline examples must match the model's input and output shapes, one target row per input row. */
        void inline(String key, Training.Source data, Network.Output output, Shape outShape, String loss) {
            Expr source = settings.get(key).values().get(0).value();
            Span at = source.span();
            if (net.inputs().size() != 1) {
                diags.report(Diag.InconsistentTraining, at, "inline data holds one input per example, but `" + net.name() + "` has "
                        + net.inputs().size() + " inputs").help("use npy or csv data for models with several inputs");
                return;
            }
            Value inputs = (Value) data.args().get("inputs");
            Value targets = (Value) data.args().get("targets");
            Network.Input input = net.inputs().get(0);
            List<Value> rows = rows(inputs, "inputs", at);
            List<Value> labels = rows(targets, "targets", at);
            if (rows == null || labels == null || !numbers(source, "inputs", rows) || !numbers(source, "targets", labels)) return;
            for (int i = 0; i < rows.size(); i++) {
                Shape s = shapeOfValue(rows.get(i));
                if (!input.shape().equals(s)) {
                    diags.report(Diag.InconsistentTraining, item(source, "inputs", i), "inline input " + (i + 1) + " has shape "
                            + (s == null ? "that is not rectangular" : s) + ", but input `" + input.name() + "` has shape " + input.shape());
                    return;
                }
            }
            for (int i = 0; i < labels.size(); i++) {
                Shape s = shapeOfValue(labels.get(i));
                boolean classIndex = "cross_entropy".equals(loss) && s != null && s.rank() == 0;
                if (!outShape.equals(s) && !classIndex) {
                    diags.report(Diag.InconsistentTraining, item(source, "targets", i), "inline target " + (i + 1) + " has shape "
                            + (s == null ? "that is not rectangular" : s) + ", but output `" + output.name() + "` has shape " + outShape);
                    return;
                }
            }
            if (rows.size() != labels.size()) {
                String longer = rows.size() > labels.size() ? "inputs" : "targets";
                diags.report(Diag.InconsistentTraining, item(source, longer, Math.min(rows.size(), labels.size())),
                        "inline data has " + Binder.count(rows.size(), "input") + " but " + Binder.count(labels.size(), "target"))
                     .help("give one target per input");
            }
        }

        /**
         * Whether every item of the examples is a number. The first that is not (a word such as
         * {@code nan} or {@code inf}: DLN has no literal for either, and data must be finite) is
         * reported where it is written; an item already reported (a constant out of range) stops the
         * check without another error.
         */
        boolean numbers(Expr source, String label, List<Value> examples) {
            Expr written = argument(source, label);
            for (int i = 0; i < examples.size(); i++) {
                Expr example = written instanceof Expr.ListExpr list && i < list.items().size() ? list.items().get(i) : null;
                Leaf bad = notANumber(example, examples.get(i), item(source, label, i));
                if (bad == null) continue;
                if (!(bad.value() instanceof Poison)) {
                    diags.report(Diag.InconsistentTraining, bad.at(), "inline " + label.substring(0, label.length() - 1) + " " + (i + 1) + " holds "
                            + Value.describe(bad.value()) + ", which is not a number")
                         .help("inline data holds finite numbers; there is no NaN or infinity in DLN");
                }
                return false;
            }
            return true;
        }

        /** An item of an example that is not a number, and where it is written. */
        record Leaf(Value value, Span at) {}

        /** The first item of {@code v} that is not a number, at its place in {@code e} as far as e shows it ({@code at} beyond). */
        static Leaf notANumber(Expr e, Value v, Span at) {
            if (v instanceof Num) return null;
            if (!(v instanceof ListV l)) return new Leaf(v, e != null ? e.span() : at);
            for (int k = 0; k < l.items().size(); k++) {
                Expr item = e instanceof Expr.ListExpr list && k < list.items().size() ? list.items().get(k) : null;
                Leaf leaf = notANumber(item, l.items().get(k), item != null ? item.span() : at);
                if (leaf != null) return leaf;
            }
            return null;
        }

        /**
         * Where example {@code i} of a source's {@code label:} list is written: the item itself when the
         * list is written out there, else the argument (a constant's name), else the whole source.
         */
        static Span item(Expr source, String label, int i) {
            Expr value = argument(source, label);
            if (value instanceof Expr.ListExpr list && i < list.items().size()) return list.items().get(i).span();
            return value != null ? value.span() : source.span();
        }

        /** The value of a source's {@code label:} argument as written, or null. */
        static Expr argument(Expr source, String label) {
            if (!(source instanceof Expr.Call call)) return null;
            for (Expr.Arg arg : call.args()) if (arg.named() && arg.label().id().equals(label)) return arg.value();
            return null;
        }

        List<Value> rows(Value v, String what, Span at) {
            if (v instanceof ListV l && !l.items().isEmpty()) return l.items();
            if (!(v instanceof Poison)) {
                diags.report(Diag.InvalidSetting, at, "data", "needs `" + what + ":` as a non-empty list of examples");
            }
            return null;
        }
    }

    /** A csv column: its number, counting from 0, or its name in the header. */
    static boolean isColumn(Value v) {
        return v instanceof Num n && n.isWhole() && n.value() >= 0 || v instanceof Value.Str;
    }

    /** The shape of a nested list of numbers ([] for a number), or null if it is ragged or not numeric. */
    static Shape shapeOfValue(Value v) {
        if (v instanceof Num) return Shape.of();
        if (!(v instanceof ListV l) || l.items().isEmpty()) return null;
        // Each item is measured once: measuring the first again would double the work at every level of nesting.
        Shape inner = shapeOfValue(l.items().get(0));
        if (inner == null) return null;
        for (Value item : l.items().subList(1, l.items().size())) if (!inner.equals(shapeOfValue(item))) return null;
        return inner.withFirst(l.items().size());
    }

    private static boolean is(Network.Layer layer, Activation.Fn fn) {
        return layer != null && layer.op() instanceof Activation a && a.fn() == fn;
    }

    private static List<String> sorted(Set<String> words) {
        return words.stream().sorted().toList();
    }

    private static String orChoices(String didYouMean, Set<String> choices) {
        return didYouMean != null ? didYouMean : "the choices are " + String.join(", ", sorted(choices));
    }
}
