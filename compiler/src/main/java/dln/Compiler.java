package dln;

import dln.ast.Decl;
import dln.check.Loader;
import dln.check.Loader.Program;
import dln.check.Resolver;
import dln.check.Resolver.Resolution;
import dln.check.ShapeChecker;
import dln.check.SourceRoots;
import dln.check.TrainChecker;
import dln.diag.Diag;
import dln.diag.Diagnostics;
import dln.diag.Source;
import dln.diag.Span;
import dln.emit.JavaEmitter;
import dln.emit.OpenClEmitter;
import dln.emit.Origins;
import dln.ir.Differentiator;
import dln.ir.Graph;
import dln.ir.Schedule;
import dln.ir.Scheduler;
import dln.net.Training;
import dln.op.Lowerer;
import dln.op.Network;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The compiler's pipeline, in order. Stages stop the run when they report errors:
 * <ol>
 *   <li>load: parse the file and everything it imports ({@link Loader}, {@link dln.parse.Parser});</li>
 *   <li>analyze: declare names ({@link Resolver}), check every model's shapes with blocks expanded
 *       ({@link ShapeChecker}) and every train block against its model ({@link TrainChecker}).
 *       These passes run together so that one run reports every independent mistake.</li>
 *   <li>lower: each network to a graph of IR nodes, each op lowering itself, activations fused
 *       ({@link Lowerer}), then every node's forward launches ({@link Scheduler#forward});</li>
 *   <li>differentiate: the loss, the backward pass (with launches folded into the kernel before
 *       them, {@code dln.ir.Fuser}) and the updates ({@link Differentiator});</li>
 *   <li>schedule: buffers planned and shared, every kernel once ({@link Scheduler});</li>
 *   <li>emit: the OpenCL program ({@link OpenClEmitter}) and the Java class ({@link JavaEmitter}).</li>
 * </ol>
 * The last three run only on input that passed every check: they cannot fail on user input.
 */
public final class Compiler {
    /** Deeply nested input recurses deeply; a big stack keeps that an error report, not a crash. */
    private static final long STACK_BYTES = 512L << 20;

    private Compiler() {}

    /** What a check produced: diagnostics always; networks and train settings when there were no errors. */
    public record Result(Diagnostics diagnostics, Program program, Map<String, Network> networks,
                         Map<String, Training> trainings) {
        public boolean ok() { return !diagnostics.hasErrors(); }
    }

    /** One compiled model: its Java class (in {@code packageName}) and its OpenCL program. */
    public record Generated(String model, String packageName, String className, String java, String opencl, Schedule schedule) {
        /** The Java file's path below an output folder: `dln/models/LeNet5.java`. */
        public String javaPath() { return (packageName.isEmpty() ? "" : packageName.replace('.', '/') + "/") + className + ".java"; }

        public String openclPath() { return (packageName.isEmpty() ? "" : packageName.replace('.', '/') + "/") + className + ".cl"; }
    }

    /**
     * Compiles every model of a checked program. {@code source} names the .dln file in the
     * generated comments.
     */
    public static List<Generated> generate(Result checked, String packageName, String source) {
        if (!checked.ok()) throw new IllegalArgumentException("cannot generate code for a program with errors");
        List<Generated> out = new ArrayList<>();
        for (var entry : checked.networks().entrySet()) {
            var trainBlock = Origins.trainBlock(checked.program().units(), entry.getKey());
            out.add(generate(entry.getValue(), checked.trainings().get(entry.getKey()), trainBlock, packageName, source));
        }
        return out;
    }

    /** The back end's passes for one model, in order. */
    private static Generated generate(Network network, Training training, Decl.Train trainBlock, String packageName, String source) {
        Graph graph = new Lowerer(network, training).lower();
        Scheduler.Forward forward = Scheduler.forward(graph);
        Differentiator.Result backward = training == null ? null : new Differentiator(graph).differentiate();
        Schedule schedule = new Scheduler(graph).schedule(forward, backward);
        Origins origins = Origins.of(network, trainBlock, graph.plan(), source);
        String opencl = OpenClEmitter.emit(schedule, source, origins);
        String java = new JavaEmitter(schedule, packageName, source, origins).emit().toString();
        return new Generated(network.name(), packageName, JavaEmitter.className(network.name()), java, opencl, schedule);
    }

    /** Checks the file at {@code file}, shown in diagnostics as {@code displayName}; it may import from its own folder. */
    public static Result check(Path file, String displayName) {
        return check(file, displayName, SourceRoots.forCommandLine(file, List.of()));
    }

    /** Checks the file at {@code file}, which may import from {@code roots}. */
    public static Result check(Path file, String displayName, SourceRoots roots) {
        return onBigStack(diags -> new Loader(diags, roots).load(file, displayName));
    }

    /** Checks in-memory text (tests); it may import from its own folder when it has a path. */
    public static Result check(Source source) {
        return check(source, source.path() == null ? SourceRoots.NONE : SourceRoots.forCommandLine(source.path(), List.of()));
    }

    /** Checks in-memory text (editors), which may import from {@code roots}, relative to {@code source.path()}. */
    public static Result check(Source source, SourceRoots roots) {
        return onBigStack(diags -> new Loader(diags, roots).load(source));
    }

    private static Result onBigStack(Function<Diagnostics, Program> load) {
        AtomicReference<Result> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(null, () -> {
            try {
                result.set(run(load));
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "dlnc", STACK_BYTES);
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling", e);
        }
        if (failure.get() instanceof RuntimeException e) throw e;
        if (failure.get() instanceof Error e) throw e;
        if (failure.get() != null) throw new IllegalStateException(failure.get());
        return result.get();
    }

    private static Result run(Function<Diagnostics, Program> load) {
        Diagnostics diags = new Diagnostics();
        Program program = null;
        try {
            program = load.apply(diags);
            if (program == null || diags.hasErrors()) return new Result(diags, program, Map.of(), Map.of());

            Resolution resolution = new Resolver(diags).resolve(program);
            ShapeChecker shapes = new ShapeChecker(resolution, diags);
            Map<String, Network> networks = shapes.check();
            Map<String, Training> trainings = new TrainChecker(resolution, diags, shapes).check(networks);
            return new Result(diags, program, networks, trainings);
        } catch (StackOverflowError e) {
            Source where = program != null ? program.main().source() : Source.of("<input>", "");
            diags.report(Diag.NestedTooDeeply, new Span(where, 0, 0), "the compiler ran out of stack")
                 .help("split long pipelines and deep expressions into several bindings");
            return new Result(diags, program, Map.of(), Map.of());
        }
    }
}
