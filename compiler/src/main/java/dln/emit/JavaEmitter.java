package dln.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeSpec;
import dln.ir.Graph;
import dln.ir.Launch;
import dln.ir.Schedule;
import dln.kernel.Dim;
import dln.kernel.Epilogue;
import dln.kernel.GradEpilogue;
import dln.kernel.Loss;
import dln.kernel.OptimizerKind;
import dln.kernel.Update;
import dln.runtime.Backend;
import dln.runtime.Buffer;
import dln.runtime.Model;
import dln.runtime.Slot;
import dln.runtime.kernel.Kernel;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * Emits one Java class per model: a subclass of {@link Model} whose kernels are constants (every
 * size fixed but the batch), whose buffers are fields, and whose forward, loss, backward and
 * update passes are straight-line launches with the layer named above each. Deterministic: the
 * same schedule gives the same bytes.
 */
public final class JavaEmitter {
    private static final ClassName KERNEL = ClassName.get(Kernel.class);
    private static final ClassName SLOT = ClassName.get(Slot.class);

    private final Schedule schedule;
    private final String packageName;
    private final String source;
    private final Origins origins;
    private final JavaNames names = new JavaNames("INFO", "KERNELS", "SLOTS");
    private final Map<String, String> kernelConstants = new LinkedHashMap<>();
    private final Map<String, String> bufferFields = new LinkedHashMap<>();

    /**
     * {@code source} is the .dln file's name as people see it (no absolute path, so output is
     * reproducible); {@code origins} say which of its lines each kernel comes from.
     */
    public JavaEmitter(Schedule schedule, String packageName, String source, Origins origins) {
        this.schedule = schedule;
        this.packageName = packageName;
        this.source = source;
        this.origins = origins;
    }

    public static String className(String model) {
        String id = JavaNames.valid(model);
        return id.equals("Model") ? "Model_" : id;
    }

    public JavaFile emit() {
        Graph g = schedule.graph();
        String cls = className(g.model());
        for (Kernel k : schedule.kernels()) kernelConstants.put(k.name(), names.constant(k.name()));
        // Fields in the order the passes declared the buffers, so that they read like the model.
        for (Slot s : schedule.graph().plan().slots()) {
            if (schedule.storage().containsKey(s.name())) bufferFields.put(s.name(), names.of(s.name()));
        }

        TypeSpec.Builder type = TypeSpec.classBuilder(cls)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .superclass(Model.class)
                .addJavadoc("Model {@code $L}, compiled by dlnc from {@code $L}. Generated code: edit the .dln file, not this one.\n",
                        JavaNames.comment(g.model()), JavaNames.comment(source))
                .addJavadoc("\n<p>Inputs: $L. Outputs: $L.\n", ports(g.inputs()), ports(g.outputs()));
        if (schedule.trainable()) type.addJavadoc("<p>Trained with $L loss and $L.\n", schedule.lossName(), JavaNames.comment(schedule.optimizerName()));
        if (data() != null) type.addJavadoc("Data: $L.\n", JavaNames.comment(data()));

        for (Kernel k : schedule.kernels()) {
            FieldSpec.Builder field = FieldSpec.builder(KERNEL, kernelConstants.get(k.name()), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL);
            Origins.Origin o = origins.of(k.name());
            if (o != null) field.addJavadoc("$L\n", JavaNames.comment(o.toString()));
            type.addField(field.initializer(construct(k)).build());
        }
        type.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class), KERNEL), "KERNELS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("$T.of($L)", List.class, String.join(", ", kernelConstants.values())).build());
        type.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class), SLOT), "SLOTS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer(slots()).build());
        type.addField(FieldSpec.builder(Model.Info.class, "INFO", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL).initializer(info()).build());

        type.addField(FieldSpec.builder(ParameterizedTypeName.get(Set.class, String.class), "PREDICTION", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The buffers a prediction uses (besides the parameters).\n")
                .initializer("$T.of($L)", Set.class, strings(predictionBuffers())).build());
        type.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                .addJavadoc("Allocates the model on {@code backend} for batches of up to {@code maxBatch} examples.\n")
                .addParameter(Backend.class, "backend").addParameter(int.class, "maxBatch")
                .addStatement("this(backend, maxBatch, false)").build());
        MethodSpec.Builder ctor = MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                .addJavadoc("Allocates the model on {@code backend} for batches of up to {@code maxBatch} examples; with\n"
                        + "{@code predictionOnly}, only what prediction uses: no gradients, optimizer state or metrics.\n")
                .addParameter(Backend.class, "backend").addParameter(int.class, "maxBatch").addParameter(boolean.class, "predictionOnly")
                .addStatement("super(backend, maxBatch, SLOTS, KERNELS, predictionOnly ? PREDICTION : null)");
        for (var e : bufferFields.entrySet()) {
            type.addField(Buffer.class, e.getValue(), Modifier.PRIVATE, Modifier.FINAL);
            ctor.addStatement("this.$N = buffer($S)", e.getValue(), schedule.storage().get(e.getKey()));
        }
        type.addMethod(ctor.build());
        type.addMethod(MethodSpec.methodBuilder("info").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(Model.Info.class).addStatement("return INFO").build());

        MethodSpec.Builder forward = pass("forward", true).addParameter(boolean.class, "training").addParameter(int.class, "step");
        if (schedule.trainable() && !same(schedule.trainForward(), schedule.predict())) {
            forward.beginControlFlow("if (training)").addCode(launches(schedule.trainForward())).addStatement("return").endControlFlow();
        }
        forward.addCode(launches(schedule.predict()));
        type.addMethod(forward.build());
        type.addMethod(pass("loss", false).addCode(launches(schedule.loss())).build());
        type.addMethod(pass("backward", true).addParameter(int.class, "step").addCode(launches(schedule.backward())).build());
        MethodSpec.Builder update = MethodSpec.methodBuilder("update").addAnnotation(Override.class).addModifiers(Modifier.PROTECTED);
        if (!schedule.update().isEmpty()) update.addStatement("int n = 1").addCode(launches(schedule.update()));
        type.addMethod(update.build());

        return JavaFile.builder(packageName, type.build()).skipJavaLangImports(true).indent("    ").build();
    }

    /** The physical buffers the prediction's launches use, in the order they first appear. */
    private List<String> predictionBuffers() {
        java.util.Set<String> used = new java.util.LinkedHashSet<>();
        for (Launch l : schedule.predict()) for (String b : l.buffers()) used.add(schedule.storage().get(b));
        return List.copyOf(used);
    }

    private MethodSpec.Builder pass(String name, boolean batch) {
        return MethodSpec.methodBuilder(name).addAnnotation(Override.class).addModifiers(Modifier.PROTECTED).addParameter(int.class, "n");
    }

    private static boolean same(List<Launch> a, List<Launch> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            Launch x = a.get(i), y = b.get(i);
            if (!x.kernel().name().equals(y.kernel().name()) || !x.buffers().equals(y.buffers()) || x.counter() != y.counter()) return false;
        }
        return true;
    }

    /**
     * The launches in order, in paragraphs: one per run of launches from the same line of the .dln
     * file, headed by that line and the layer (merged with the first launch's comment when that
     * names the layer, as a forward launch's does).
     */
    private CodeBlock launches(List<Launch> list) {
        CodeBlock.Builder code = CodeBlock.builder();
        Origins.Origin block = null;
        for (Launch l : list) {
            Origins.Origin o = origins.of(l.kernel().name());
            String comment = l.comment();
            if (o != null && !o.equals(block)) {
                if (block != null) code.add("\n");
                block = o;
                if (comment.startsWith(o.what())) comment = o.where() + " " + comment;
                else code.add("// $L\n", JavaNames.comment(o.toString()));
            }
            code.add("// $L\n", JavaNames.comment(comment));
            CodeBlock.Builder args = CodeBlock.builder().add("$N,$Wn,$W$L", kernelConstants.get(l.kernel().name()), l.counter() ? "step" : "0");
            for (String b : l.buffers()) args.add(",$W$N", bufferFields.get(b));
            code.addStatement("launch($L)", args.build());
        }
        return code.build();
    }

    private static String ports(List<Graph.Port> ports) {
        StringBuilder out = new StringBuilder();
        for (Graph.Port p : ports) {
            if (!out.isEmpty()) out.append(", ");
            out.append("{@code ").append(JavaNames.comment(p.name())).append("} ").append(p.integer() ? "int" : "").append(Arrays.toString(p.shape()));
        }
        return out.toString();
    }

    private CodeBlock slots() {
        CodeBlock.Builder b = CodeBlock.builder().add("$T.of(\n", List.class).indent();
        List<Slot> slots = schedule.slots();
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            if (s.shape() != null) {
                b.add("$T.param($S, $T.$L,$W$L,$W$L)", SLOT, s.name(), Slot.Role.class, s.role(), labelled("shape", s.shape()), construct(s.init()));
            } else {
                b.add("$T.work($S, $T.$L,$W$L,$W$L)", SLOT, s.name(), Slot.Role.class, s.role(), labelled("per", s.per()), labelled("batched", s.batched()));
            }
            b.add(i + 1 < slots.size() ? ",\n" : ")");
        }
        return b.unindent().build();
    }

    /** {@link Model.Info}'s arguments, one a line, each labelled with its component's name. */
    private CodeBlock info() {
        Graph g = schedule.graph();
        List<Object> values = Arrays.asList(g.model(),
                g.inputs().stream().map(Graph.Port::name).toList(),
                g.inputs().stream().map(Graph.Port::shape).toList(),
                g.inputs().stream().map(Graph.Port::integer).toList(),
                g.outputs().stream().map(Graph.Port::name).toList(),
                g.outputs().stream().map(p -> schedule.storage().get(p.value().buffer())).toList(),
                g.outputs().stream().map(Graph.Port::shape).toList(),
                schedule.trainable(), schedule.labels(), schedule.lossName(), schedule.optimizerName(), schedule.learningRate(),
                source, data());
        RecordComponent[] parts = Model.Info.class.getRecordComponents();
        if (parts.length != values.size()) throw new IllegalStateException("Model.Info has " + parts.length + " components, not " + values.size());
        CodeBlock.Builder b = CodeBlock.builder().add("new $T(", Model.Info.class).indent();
        for (int i = 0; i < parts.length; i++) {
            b.add(i > 0 ? ",\n" : "\n").add("/* $L= */ $L", parts[i].getName(), inline(values.get(i)));
        }
        return b.unindent().add(")").build();
    }

    /** {@link #construct}, with a list on one line. */
    private static CodeBlock inline(Object value) {
        if (!(value instanceof List<?> list)) return construct(value);
        CodeBlock.Builder b = CodeBlock.builder().add("$T.of(", List.class);
        for (int i = 0; i < list.size(); i++) b.add(i > 0 ? ", " : "").add(construct(list.get(i)));
        return b.add(")").build();
    }

    /** The train block's data setting as people write it: `csv("digits.csv", label_column: 64)`; long lists are elided. */
    private String data() {
        var t = schedule.graph().training();
        if (t == null || t.data() == null) return null;
        StringBuilder out = new StringBuilder(t.data().kind()).append('(');
        String sep = "";
        for (var e : t.data().args().entrySet()) {
            if (e.getValue() == null) continue;
            out.append(sep).append(e.getKey()).append(": ").append(show(e.getValue()));
            sep = ", ";
        }
        return out.append(')').toString();
    }

    private static String show(Object v) {
        if (v instanceof List<?> l) {
            String items = String.join(", ", l.stream().map(JavaEmitter::show).toList());
            return items.length() > 60 ? "[" + l.size() + " items]" : "[" + items + "]";
        }
        if (v instanceof Double d) return dln.net.Training.Call.format(d);
        if (v instanceof String s) return "\"" + s + "\"";
        return String.valueOf(v);
    }

    private static String strings(List<String> list) {
        StringBuilder out = new StringBuilder();
        for (String s : list) out.append(out.isEmpty() ? "" : ", ").append(CodeBlock.of("$S", s));
        return out.toString();
    }

    private static String longs(long[] values) {
        StringBuilder out = new StringBuilder("new long[] {");
        for (int i = 0; i < values.length; i++) out.append(i > 0 ? ", " : "").append(values[i]).append('L');
        return out.append('}').toString();
    }

    /** A constructor call that rebuilds {@code value}: records through their canonical constructor. */
    static CodeBlock construct(Object value) {
        if (value == null) return CodeBlock.of("null");
        if (value instanceof String s) return CodeBlock.of("$S", s);
        if (value instanceof Boolean || value instanceof Integer) return CodeBlock.of("$L", value);
        if (value instanceof Long l) return CodeBlock.of("$LL", l);
        if (value instanceof Float f) return CodeBlock.of("$L", literal(f));
        if (value instanceof Double d) return CodeBlock.of("$L", literal(d));
        if (value instanceof Enum<?> e) return CodeBlock.of("$T.$L", e.getDeclaringClass(), e.name());
        if (value instanceof long[] a) return CodeBlock.of("$L", longs(a));
        if (value instanceof Dim d) return CodeBlock.of("$T.$L($LL)", Dim.class, d.batched() ? "batch" : "of", d.per());
        if (value instanceof Epilogue e && e.equals(Epilogue.NONE)) return CodeBlock.of("$T.NONE", Epilogue.class);
        if (value instanceof GradEpilogue g && g.none()) return CodeBlock.of("$T.NONE", GradEpilogue.class);
        if (value instanceof List<?> list) {
            CodeBlock.Builder b = CodeBlock.builder().add("$T.of(", List.class).indent();
            for (int i = 0; i < list.size(); i++) b.add(i > 0 ? ",\n" : "\n").add(construct(list.get(i)));
            return b.unindent().add(")").build();
        }
        if (value instanceof Update u && !u.clip().equals(Update.Clip.NONE) && factory(u.clipped(Update.Clip.NONE)) != null) {
            return CodeBlock.of("$L$Z.clipped($L)", factory(u.clipped(Update.Clip.NONE)), construct(u.clip()));
        }
        if (value instanceof Update u && factory(u) != null) return factory(u);
        if (value instanceof Record r) {
            CodeBlock.Builder b = CodeBlock.builder().add("new $T(", r.getClass());
            RecordComponent[] parts = r.getClass().getRecordComponents();
            // a model's only loss has weight 1, and an epilogue that writes no second buffer has no
            // softmax and no dropout, which Loss's and Epilogue's shorter constructors give
            int shown = value instanceof Loss l && l.weight() == 1 ? parts.length - 1
                    : value instanceof Epilogue e && !e.second() && e.norm() == null ? 3 : parts.length;
            for (int i = 0; i < shown; i++) {
                try {
                    b.add(i > 0 ? ",$W" : "").add(labelled(parts[i].getName(), parts[i].getAccessor().invoke(r)));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read " + parts[i] + " of " + r, e);
                }
            }
            return b.add(")").build();
        }
        throw new IllegalArgumentException("cannot emit a " + value.getClass().getName() + " as Java");
    }

    /** The components that {@link Update}'s factory of each rule takes, in its order. */
    private static final Map<OptimizerKind, List<String>> UPDATE_FACTORIES = Map.of(
            OptimizerKind.SGD, List.of("name", "size", "momentum", "nesterov", "l1", "l2"),
            OptimizerKind.ADAGRAD, List.of("name", "size", "eps", "l1", "l2"),
            OptimizerKind.RMSPROP, List.of("name", "size", "rho", "eps", "l1", "l2"),
            OptimizerKind.ADAM, List.of("name", "size", "beta1", "beta2", "eps", "l1", "l2"),
            OptimizerKind.ADAMW, List.of("name", "size", "beta1", "beta2", "eps", "decay", "l1", "l2"));

    /**
     * {@code Update.adam(...)} and the like, with only what the rule reads; null when the factory
     * would not give back {@code u} (a component it does not take is not at its default).
     */
    private static CodeBlock factory(Update u) {
        String method = u.kind().name().toLowerCase(Locale.ROOT);
        Map<String, RecordComponent> parts = new LinkedHashMap<>();
        for (RecordComponent c : Update.class.getRecordComponents()) parts.put(c.getName(), c);
        List<RecordComponent> args = UPDATE_FACTORIES.get(u.kind()).stream().map(parts::get).toList();
        try {
            Object[] values = new Object[args.size()];
            for (int i = 0; i < values.length; i++) values[i] = args.get(i).getAccessor().invoke(u);
            Class<?>[] types = args.stream().map(RecordComponent::getType).toArray(Class<?>[]::new);
            if (!u.equals(Update.class.getMethod(method, types).invoke(null, values))) return null;
            CodeBlock.Builder b = CodeBlock.builder().add("$T.$L(", Update.class, method);
            for (int i = 0; i < values.length; i++) b.add(i > 0 ? ",$W" : "").add(labelled(args.get(i).getName(), values[i]));
            return b.add(")").build();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot call Update." + method + " with " + UPDATE_FACTORIES.get(u.kind()), e);
        }
    }

    /**
     * An argument as javac's and Error Prone's convention labels it, {@code /* transB= *}{@code / true},
     * where its value alone does not say what it is: a literal, an array, a size. A kernel's name,
     * an enum constant and a nested record name themselves.
     */
    static CodeBlock labelled(String parameter, Object value) {
        boolean plain = value instanceof Enum || value instanceof Record && !(value instanceof Dim) || value instanceof List
                || value instanceof String && parameter.equals("name");
        return plain ? construct(value) : CodeBlock.of("/* $L= */ $L", parameter, construct(value));
    }

    static String literal(float f) {
        if (Float.isNaN(f)) return "Float.NaN";
        if (Float.isInfinite(f)) return f > 0 ? "Float.POSITIVE_INFINITY" : "Float.NEGATIVE_INFINITY";
        return Float.toString(f) + "f";
    }

    static String literal(double d) {
        if (Double.isNaN(d)) return "Double.NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
        return Double.toString(d);
    }

}
