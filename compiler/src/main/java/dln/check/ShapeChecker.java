package dln.check;

import dln.ast.Decl;
import dln.ast.Expr;
import dln.ast.Stmt;
import dln.check.Binder.Given;
import dln.check.Resolver.Resolution;
import dln.check.Value.Num;
import dln.check.Value.Poison;
import dln.check.Value.Sym;
import dln.check.Value.Tensor;
import dln.diag.Diag;
import dln.diag.Diagnostics;
import dln.diag.Span;
import dln.net.DType;
import dln.net.ParamSpec;
import dln.net.Shape;
import dln.net.ArgSpec;
import dln.op.Network;
import dln.op.Op;
import dln.op.Problems;
import dln.op.Signature;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Checks every model of the main file: evaluates its statements in order, expands each block call
 * in place, binds every layer's arguments and infers every tensor's shape. Guarantees: each layer
 * of a model without errors has a shape, named parameters in PyTorch layout and FLOPs, collected
 * in a {@link Network}; every problem found is reported once, at the call that causes it, with the
 * chain of block calls that led there; a failed layer poisons only what depends on it.
 */
public final class ShapeChecker {
    private static final Set<String> INIT_CALLS = Set.of("normal", "uniform");
    /**
     * Most layers and block calls one model may expand to. Blocks are copied at every call, so a few
     * lines can describe an exponentially large model; past this the model is reported as too large.
     */
    static final int MAX_EXPANSION = 100_000;

    private final Resolution resolution;
    private final Diagnostics diags;
    private final Constants constants;
    private final Binder binder;
    private final Set<Decl.Block> usedBlocks = new HashSet<>();

    public ShapeChecker(Resolution resolution, Diagnostics diags) {
        this.resolution = resolution;
        this.diags = diags;
        this.constants = new Constants(resolution, diags);
        this.binder = new Binder(diags);
    }

    Constants constants() { return constants; }

    /** The checked networks of the main file's models, by name; a model with errors maps to null. */
    public Map<String, Network> check() {
        for (Scope scope : resolution.scopes().values()) constants.foldAll(scope);
        Scope main = resolution.main();
        Map<String, Network> out = new LinkedHashMap<>();
        for (Decl.Model model : main.models.values()) out.put(model.name().id(), new ModelCheck(model, main).run());
        for (Decl.Block block : main.unit.all(Decl.Block.class)) {
            if (!usedBlocks.contains(block) && main.blocks.get(block.name().id()) == block && !main.models.isEmpty()) {
                diags.report(Diag.UnusedBlock, block.name().span(), block.name().id());
            }
        }
        return out;
    }

    /** A name bound in a model or block body. */
    private static final class Binding {
        final Value value;
        final Span span;
        final boolean warnUnused;
        boolean used;

        Binding(Value value, Span span, boolean warnUnused) {
            this.value = value;
            this.span = span;
            this.warnUnused = warnUnused;
        }
    }

    /** The names visible in one model or block body: its own bindings, then the file's constants. */
    private final class Env {
        final Scope scope;
        final Map<String, Binding> bindings = new LinkedHashMap<>();

        Env(Scope scope) {
            this.scope = scope;
        }

        Value lookup(String name) {
            Binding b = bindings.get(name);
            if (b != null) {
                b.used = true;
                return b.value;
            }
            return constants.lookup(scope, name);
        }

        void bind(String name, Value value, Span span, boolean warnUnused) {
            Binding previous = bindings.get(name);
            if (previous != null) warnIfUnused(name, previous, span);
            bindings.put(name, new Binding(value, span, warnUnused));
        }

        void warnIfUnused(String name, Binding b, Span reboundAt) {
            if (b.used || !b.warnUnused || b.value instanceof Poison) return;
            diags.report(Diag.UnusedName, b.span, name)
                 .help(reboundAt != null ? "it is rebound at line " + reboundAt.line() + " before any use"
                         : "remove it, or use it in an output");
        }

        void warnUnused() {
            bindings.forEach((name, b) -> warnIfUnused(name, b, null));
        }
    }

    /** Naming scope for layers: a model, or one block instance inside it (`residual_1.`). */
    private record Frame(String prefix, Map<String, Integer> counters) {
        String next(String kind) {
            return kind + "_" + counters.merge(kind, 1, Integer::sum);
        }
    }

    /** Thrown when a model expands beyond {@link #MAX_EXPANSION}; its check ends there. */
    private static final class TooLarge extends RuntimeException {
        TooLarge() { super(null, null, false, false); }
    }

    /** The check of one model. */
    private final class ModelCheck {
        final Decl.Model model;
        final Scope scope;
        final List<Network.Input> inputs = new ArrayList<>();
        final List<Network.Layer> layers = new ArrayList<>();
        final List<Network.Output> outputs = new ArrayList<>();
        final Deque<Frame> frames = new ArrayDeque<>();
        final Deque<Decl.Block> expanding = new ArrayDeque<>();
        final Set<String> layerNames = new HashSet<>();
        boolean declaresInput;
        boolean declaresOutput;
        int expansion;

        ModelCheck(Decl.Model model, Scope scope) {
            this.model = model;
            this.scope = scope;
            frames.push(new Frame("", new HashMap<>()));
        }

        Network run() {
            int errorsBefore = diags.errorCount();
            Env env = new Env(scope);
            try {
                for (Stmt s : model.body()) statement(s, env);
            } catch (TooLarge e) {
                diags.report(Diag.TooLarge, model.name().span(), "model `" + model.name().id() + "`",
                        "its blocks expand to more than " + String.format(Locale.ROOT, "%,d", MAX_EXPANSION) + " layers and block calls")
                     .help("every call of a block copies its layers, so blocks that call other blocks several times multiply them");
                return null;
            }
            env.warnUnused();
            if (!declaresInput) {
                diags.report(Diag.MissingInputOrOutput, model.name().span(), model.name().id(), "input")
                     .help("declare one, as in `input x: [784]`");
            }
            if (!declaresOutput) {
                diags.report(Diag.MissingInputOrOutput, model.name().span(), model.name().id(), "output")
                     .help("mark a result, as in `output y = h -> dense(10) -> softmax`");
            }
            if (diags.errorCount() > errorsBefore) return null;
            Network net = new Network(model.name().id(), List.copyOf(inputs), List.copyOf(layers), List.copyOf(outputs), model.span());
            try {
                net.paramCount();
                net.flops();
            } catch (ArithmeticException e) {
                diags.report(Diag.TooLarge, model.name().span(), "model `" + model.name().id() + "`", "its size does not fit in 64 bits");
                return null;
            }
            return net;
        }

        void statement(Stmt s, Env env) {
            if (s instanceof Stmt.Input in) {
                input(in, env);
            } else if (s instanceof Stmt.Bind b) {
                env.bind(b.name().id(), eval(b.value(), env), b.name().span(), true);
            } else if (s instanceof Stmt.Output o) {
                output(o, env);
            } else if (s instanceof Stmt.Return r) {
                // Meant as the model's output: check it as one, so that no "has no output" follows.
                declaresOutput = true;
                diags.report(Diag.StatementNotAllowed, Resolver.keyword(r), "`return`", "a model")
                     .help("mark a model's results with `output name = ...`");
                eval(r.value(), env);
            }
        }

        void input(Stmt.Input in, Env env) {
            declaresInput = true;
            String name = in.name().id();
            DType dtype = DType.FLOAT;
            boolean typeOk = true;
            if (in.type() != null) {
                switch (in.type().id()) {
                    case "float" -> dtype = DType.FLOAT;
                    case "int" -> dtype = DType.INT;
                    default -> {
                        diags.report(Diag.UnknownType, in.type().span(), in.type().id())
                             .help("inputs are float (`[2]`) or integer ids (`int[20]`)");
                        typeOk = false;
                    }
                }
            }
            if (in.dims().isEmpty()) {
                diags.report(Diag.InvalidInputDimension, in.span(), "the shape of `" + name + "` has none")
                     .help("write the shape of one example, as in `input x: [784]`");
            }
            List<Long> dims = new ArrayList<>();
            for (Expr d : in.dims()) {
                Value v = constants.eval(d, env::lookup);
                if (v instanceof Num n && n.isWhole() && n.value() >= 1) {
                    dims.add((long) n.value());
                } else if (v instanceof Sym sym) {
                    constants.undefined(d, sym.name(), scope, env.bindings);
                } else if (!(v instanceof Poison)) {
                    diags.report(Diag.InvalidInputDimension, d.span(), "it is " + Value.describe(v));
                }
            }
            for (Network.Input first : inputs) {
                if (!first.name().equals(name)) continue;
                diags.report(Diag.AlreadyDefined, in.name().span(), name)
                     .note("input `" + name + "` is first defined at " + first.span().where());
                // The first one is not unused: the duplicate's mistake is reported, and that is enough.
                env.bindings.get(name).used = true;
                break;
            }
            if (dims.size() != in.dims().size() || dims.isEmpty() || !typeOk) {
                env.bind(name, Value.BROKEN_TENSOR, in.name().span(), false);
                return;
            }
            Shape shape = Shape.of(dims);
            String tooLarge = tooLarge(shape, "one example");
            if (tooLarge != null) {
                diags.report(Diag.TooLarge, in.span(), "input `" + name + "`", tooLarge).help(TENSOR_LIMIT);
                env.bind(name, Value.BROKEN_TENSOR, in.name().span(), false);
                return;
            }
            int id = inputs.size();
            inputs.add(new Network.Input(name, shape, dtype, id, in.span()));
            env.bind(name, new Tensor(id, shape, dtype), in.name().span(), true);
        }

        void output(Stmt.Output o, Env env) {
            declaresOutput = true;
            String name = o.name().id();
            Value v = eval(o.value(), env);
            for (Network.Output first : outputs) {
                if (first.name().equals(name)) {
                    diags.report(Diag.AlreadyDefined, o.name().span(), name)
                         .note("output `" + name + "` is first defined at " + first.span().where());
                    break;
                }
            }
            if (v instanceof Tensor t) {
                outputs.add(new Network.Output(name, t.id(), o.span()));
            } else if (v instanceof Sym sym) {
                constants.undefined(o.value(), sym.name(), scope, env.bindings);
            } else if (!(v instanceof Poison)) {
                diags.report(Diag.NotATensor, o.value().span(), "output `" + name + "`", o.value().span().text(), Value.describe(v));
            }
            env.bind(name, v, o.name().span(), false);
        }

        /** Evaluates an expression in a model or block body. */
        Value eval(Expr e, Env env) {
            if (e instanceof Expr.Pipe p) return call(p.call(), p.input(), eval(p.input(), env), env);
            if (e instanceof Expr.Call c) return call(c, null, null, env);
            if (e instanceof Expr.Name n) {
                Value v = env.lookup(n.id());
                return v == null ? new Sym(n.id()) : v;
            }
            return constants.eval(e, env::lookup);
        }

        /** Arguments: an initializer call such as `normal(0.01)` is a value, any other call a layer. */
        Value evalArg(Expr e, Env env) {
            if (e instanceof Expr.Call c && INIT_CALLS.contains(c.callee().id()) && !env.scope.blocks.containsKey(c.callee().id())) {
                return constants.eval(e, env::lookup);
            }
            return eval(e, env);
        }

        Value call(Expr.Call c, Expr pipedExpr, Value piped, Env env) {
            String name = c.callee().id();
            Decl.Block block = env.scope.blocks.get(name);
            Signature def = Op.signatures().get(name);
            if (block == null && def == null) {
                unknownCallee(c, pipedExpr, env);
                return Value.BROKEN_TENSOR;
            }
            List<Value> inputs = new ArrayList<>();
            List<Expr> inputExprs = new ArrayList<>();
            if (pipedExpr != null) {
                inputs.add(piped);
                inputExprs.add(pipedExpr);
            }
            List<Given> args = new ArrayList<>();
            for (Expr.Arg a : c.args()) args.add(new Given(a, evalArg(a.value(), env)));
            if (block != null) return expand(block, c, inputs, inputExprs, args, env);

            int first = 0;
            while (first < args.size() && !args.get(first).arg().named() && isInput(args.get(first).value(), def)) {
                Given g = args.get(first++);
                inputs.add(g.value());
                inputExprs.add(g.arg().value());
            }
            return layer(def, c, inputs, inputExprs, args.subList(first, args.size()), env);
        }

        /** Leading positional tensors are inputs; so are undefined names where the layer takes no positional setting. */
        private boolean isInput(Value v, Signature def) {
            return v instanceof Tensor || v instanceof Poison p && p.tensor() || v instanceof Sym && def.positional() == 0;
        }

        void unknownCallee(Expr.Call c, Expr pipedExpr, Env env) {
            String name = c.callee().id();
            if (name.equals("output") && !c.parens() && pipedExpr != null && expanding.isEmpty()) {
                // `h = x -> relu ->` at the end of a line: the next line's `output` became a layer.
                declaresOutput = true;
                diags.report(Diag.UndefinedName, c.callee().span(), name)
                     .help("the `->` at the end of line " + pipedExpr.span().source().line(pipedExpr.span().end())
                             + " continues the pipeline onto this line; remove it, so that `output` begins a statement");
                return;
            }
            Binding binding = env.bindings.get(name);
            if (binding != null) {
                binding.used = true;
                diags.report(Diag.NotALayer, c.callee().span(), name, Value.describe(binding.value))
                     .help("values are combined with layers such as `add(" + name + ", ...)` or `concat(" + name + ", ...)`");
                return;
            }
            Supplier<String> suggestion = () -> {
                List<String> callees = new ArrayList<>(Op.signatures().keySet());
                callees.addAll(env.scope.blocks.keySet());
                return Suggest.didYouMean(name, callees);
            };
            diags.report(c.parens() ? Diag.UnknownLayer : Diag.UndefinedName, c.callee().span(), name).help(suggestion);
        }

        Value layer(Signature def, Expr.Call c, List<Value> inputs, List<Expr> inputExprs, List<Given> rest, Env env) {
            boolean ok = checkInputs(def.name(), def.minInputs(), def.maxInputs(), inputs, inputExprs, c, env);
            Binder.Bound bound = binder.bind(def.name(), "argument", def.args(), def.positional(), rest, c.span(),
                    (at, undefined) -> constants.undefined(at, undefined, env.scope, env.bindings));
            if (!ok || !bound.ok) return Value.BROKEN_TENSOR;
            Op op = def.build().apply(bound);
            List<Tensor> tensors = inputs.stream().map(Tensor.class::cast).toList();
            for (int i = 0; i < tensors.size(); i++) {
                DType dtype = tensors.get(i).dtype();
                if (op.takesIntInput() && dtype != DType.INT) {
                    diags.report(Diag.WrongInputType, inputExprs.get(i).span(), "embedding reads integer ids, but its input is a float tensor")
                         .help("declare the input as integer ids, as in `input tokens: int[20]`");
                    return Value.BROKEN_TENSOR;
                }
                if (!op.takesIntInput() && dtype == DType.INT) {
                    diags.report(Diag.WrongInputType, c.callee().span(), def.name() + " needs a float input, but `"
                            + inputExprs.get(i).span().text() + "` holds integer ids")
                         .help("only `embedding` reads integer inputs; insert `-> embedding(vocab, dim)` first");
                    return Value.BROKEN_TENSOR;
                }
            }
            String layerName = layerName(op.kind(), bound, c);
            List<Shape> in = tensors.stream().map(Tensor::shape).toList();
            Problems problems = problems(c);
            try {
                Shape shape = op.infer(in, problems);
                if (shape == null) return Value.BROKEN_TENSOR;
                String tooLarge = tooLarge(shape, "its output, per example,");
                List<ParamSpec> params = op.params(in);
                for (ParamSpec p : params) if (tooLarge == null) tooLarge = tooLarge(p.shape(), "its " + p.name());
                if (tooLarge != null) {
                    diags.report(Diag.TooLarge, c.span(), "`" + c.span().text() + "`", tooLarge).help(TENSOR_LIMIT);
                    return Value.BROKEN_TENSOR;
                }
                long flops = op.flops(in, shape);
                grow();
                int id = this.inputs.size() + layers.size();
                List<Integer> ids = tensors.stream().map(Tensor::id).toList();
                Network.Layer layer = new Network.Layer(layerName, op, ids, id, shape, DType.FLOAT, params,
                        bound.initOrDefault(), flops, c.span());
                layer.paramCount();
                layers.add(layer);
                return new Tensor(id, shape, DType.FLOAT);
            } catch (ArithmeticException e) {
                diags.report(Diag.TooLarge, c.span(), "`" + c.span().text() + "`", "its sizes do not fit in 64 bits");
                return Value.BROKEN_TENSOR;
            }
        }

        /** Reports missing, surplus and non-tensor inputs; true when every input is a good tensor. */
        boolean checkInputs(String what, int min, int max, List<Value> inputs, List<Expr> exprs, Expr.Call c, Env env) {
            boolean ok = true;
            for (int i = 0; i < inputs.size(); i++) {
                Value v = inputs.get(i);
                if (v instanceof Sym s) {
                    constants.undefined(exprs.get(i), s.name(), env.scope, env.bindings);
                    ok = false;
                } else if (v instanceof Poison) {
                    ok = false;
                } else if (!(v instanceof Tensor)) {
                    diags.report(Diag.NotATensor, exprs.get(i).span(), what, exprs.get(i).span().text(), Value.describe(v));
                    ok = false;
                }
            }
            if (inputs.size() < min) {
                String takes = min == 1 ? "1 input" : "at least " + min + " inputs";
                diags.report(Diag.WrongInputCount, c.span(), what, takes, Binder.wasGiven(inputs.size()))
                     .help(min == 1 ? "pipe a value into it, as in `x -> " + c.span().text() + "`"
                             : "list the inputs, as in `" + what + "(a, b)` or `a -> " + what + "(b)`");
                return false;
            }
            if (inputs.size() > max) {
                diags.report(Diag.WrongInputCount, c.span(), what, "1 input", Binder.wasGiven(inputs.size()))
                     .help("combine values first with `add(...)` or `concat(...)`");
                return false;
            }
            return ok;
        }

        static final String TENSOR_LIMIT = "a tensor holds at most " + String.format(Locale.ROOT, "%,d", Integer.MAX_VALUE)
                + " values (Java arrays and OpenCL buffers are indexed by int)";

        /** Why a tensor of this shape cannot be held, or null: its size overflows 64 bits or an int index. */
        static String tooLarge(Shape shape, String what) {
            long size;
            try {
                size = shape.size();
            } catch (ArithmeticException e) {
                return "the size of " + what + " " + shape + " does not fit in 64 bits";
            }
            if (size <= Integer.MAX_VALUE) return null;
            return what + " " + shape + " has " + String.format(Locale.ROOT, "%,d", size) + " values";
        }

        String layerName(String kind, Binder.Bound bound, Expr.Call c) {
            Frame frame = frames.peek();
            String auto = frame.next(kind);
            String given = bound.has("name") ? bound.word("name") : null;
            String full = frame.prefix() + (given != null ? given : auto);
            if (!layerNames.add(full)) {
                diags.report(Diag.DuplicateLayerName, given != null ? bound.span("name") : c.span(), full)
                     .help("layer names must be unique within a model; pick another `name:`");
            }
            return full;
        }

        Problems problems(Expr.Call c) {
            return new Problems() {
                public Diagnostics.Report report(Diag diag, Object... args) { return diags.report(diag, c.span(), args); }

                public String call() { return c.span().text(); }
            };
        }

        /** Expands a block call in place: binds its parameters and evaluates its body in a fresh naming frame. */
        Value expand(Decl.Block block, Expr.Call c, List<Value> tensorsIn, List<Expr> tensorExprs, List<Given> args, Env callerEnv) {
            usedBlocks.add(block);
            String blockName = block.name().id();
            if (expanding.contains(block)) {
                List<String> chain = new ArrayList<>();
                expanding.descendingIterator().forEachRemaining(b -> chain.add(b.name().id()));
                chain.add(blockName);
                diags.report(Diag.BlockCallsItself, c.callee().span(), blockName, String.join(" -> ", chain.subList(chain.indexOf(blockName), chain.size())))
                     .help("blocks are expanded where they are called, so they cannot call themselves");
                return Value.BROKEN_TENSOR;
            }
            Scope home = resolution.home().get(block);
            Map<String, Value> values = new LinkedHashMap<>();
            Map<String, Expr> exprs = new HashMap<>();
            String instanceName = null;
            Span nameSpan = null;
            boolean ok = true;

            List<Decl.Param> params = block.params();
            List<String> names = new ArrayList<>(params.stream().map(p -> p.name().id()).toList());
            names.add("name");
            for (int i = 0; i < Math.min(tensorsIn.size(), params.size()); i++) {
                values.put(params.get(i).name().id(), tensorsIn.get(i));
                exprs.put(params.get(i).name().id(), tensorExprs.get(i));
            }
            String owner = "block `" + blockName + "`";
            Binder.Sorted sorted = binder.sort(owner, "parameter", names, params.size(), tensorsIn.size(), args);
            ok = sorted.ok();
            boolean misplaced = sorted.misplaced();
            if (!sorted.extra().isEmpty() || tensorsIn.size() > params.size()) {
                int given = tensorsIn.size() + (int) args.stream().filter(g -> !g.arg().named()).count();
                diags.report(Diag.TooManyPositionalArguments, c.span(), owner, Binder.count(params.size(), "parameter") + " ("
                        + String.join(", ", names.subList(0, params.size())) + ")", Binder.wasGiven(given));
                ok = false;
            }
            for (var e : sorted.byName().entrySet()) {
                Given g = e.getValue();
                if (e.getKey().equals("name") && !names.subList(0, params.size()).contains("name")) {
                    Object n = Binder.convert(ArgSpec.optional("name", ArgSpec.Kind.NAME, null), g.value());
                    if (n == null) {
                        diags.report(Diag.WrongArgumentKind, g.arg().value().span(), "name", "block " + blockName, "a name", Value.describe(g.value()));
                        ok = false;
                    }
                    instanceName = (String) n;
                    nameSpan = g.arg().value().span();
                } else {
                    values.put(e.getKey(), g.value());
                    exprs.put(e.getKey(), g.arg().value());
                }
            }
            for (Decl.Param p : params) {
                String pname = p.name().id();
                if (!values.containsKey(pname)) {
                    if (p.defaultValue() == null) {
                        binder.missing(owner, "parameter", pname, c.span(), misplaced);
                        ok = false;
                        continue;
                    }
                    values.put(pname, constants.eval(p.defaultValue(), n -> values.containsKey(n) ? values.get(n) : constants.lookup(home, n)));
                    exprs.put(pname, p.defaultValue());
                }
                ok &= checkParam(block, p, values.get(pname), exprs.get(pname), callerEnv);
            }
            if (!ok) return Value.BROKEN_TENSOR;

            grow();
            Frame outer = frames.peek();
            String instance = outer.prefix() + (instanceName != null ? instanceName : outer.next(blockName));
            if (instanceName != null) outer.next(blockName);
            if (!layerNames.add(instance)) {
                // Reported once, at the call; the copy's layers get names of their own so they do not repeat it.
                diags.report(Diag.DuplicateLayerName, nameSpan != null ? nameSpan : c.span(), instance)
                     .help("layer and block names must be unique within a model; pick another `name:`");
                instance += "#" + layers.size();
            }
            diags.enterBlock(blockName, c.span());
            frames.push(new Frame(instance + ".", new HashMap<>()));
            expanding.push(block);
            try {
                return body(block, values, home);
            } finally {
                expanding.pop();
                frames.pop();
                diags.exitBlock();
            }
        }

        /** A block's statements up to its `return` (the resolver reports any after it), and the tensor it returns. */
        private Value body(Decl.Block block, Map<String, Value> values, Scope home) {
            Env env = new Env(home);
            for (Decl.Param p : block.params()) env.bind(p.name().id(), values.get(p.name().id()), p.name().span(), p.isTensor());
            Value result = Value.BROKEN_TENSOR;
            Expr returned = null;
            for (Stmt s : block.body()) {
                if (s instanceof Stmt.Bind b) {
                    env.bind(b.name().id(), eval(b.value(), env), b.name().span(), true);
                } else if (s instanceof Stmt.Return r) {
                    result = eval(r.value(), env);
                    returned = r.value();
                    break;
                }
            }
            env.warnUnused();
            if (returned != null && !(result instanceof Tensor) && !(result instanceof Poison)) {
                if (result instanceof Sym sym) {
                    constants.undefined(returned, sym.name(), home, env.bindings);
                } else {
                    diags.report(Diag.NotATensor, returned.span(), "`return` in a block", returned.span().text(), Value.describe(result));
                }
                result = Value.BROKEN_TENSOR;
            }
            return result instanceof Poison ? Value.BROKEN_TENSOR : result;
        }

        /** Counts one more layer or block call of the model; past {@link #MAX_EXPANSION} the check of the model stops. */
        private void grow() {
            if (++expansion > MAX_EXPANSION) throw new TooLarge();
        }

        boolean checkParam(Decl.Block block, Decl.Param p, Value v, Expr at, Env callerEnv) {
            if (v instanceof Poison) return false;
            String what = "block " + block.name().id();
            if (p.isTensor()) {
                if (v instanceof Tensor) return true;
                if (v instanceof Sym s) {
                    constants.undefined(at, s.name(), callerEnv.scope, callerEnv.bindings);
                } else {
                    diags.report(Diag.NotATensor, at.span(), "parameter `" + p.name().id() + "` of " + what, at.span().text(), Value.describe(v));
                }
                return false;
            }
            boolean isInt = p.type().id().equals("int");
            if (v instanceof Num n && (!isInt || n.isWhole())) return true;
            if (v instanceof Sym s && !(isInt && s.name().equals("true"))) {
                constants.undefined(at, s.name(), callerEnv.scope, callerEnv.bindings);
                return false;
            }
            diags.report(Diag.WrongArgumentKind, at.span(), p.name().id(), what, isInt ? "a whole number" : "a number", Value.describe(v));
            return false;
        }
    }
}
