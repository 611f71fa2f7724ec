package dln.op;

import static org.assertj.core.api.Assertions.assertThat;

import dln.Compiler;
import dln.diag.Severity;
import dln.diag.Source;
import dln.ir.Launch;
import dln.net.ArgSpec;
import dln.ir.Schedule;
import dln.runtime.Slot;
import dln.runtime.kernel.Kernel;
import dln.runtime.kernel.Program;
import java.util.ArrayList;
import java.util.HashMap;
import dln.kernel.Act;
import dln.kernel.Gemm;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Walks every op of the table: each one checks, has a line of documentation, declares its
 * parameters with initial values, lowers, and every kernel of its forward and backward passes has
 * OpenCL source under its name and a Java reference that runs. (That each op has all its rules is a
 * compile-time matter: {@link Op} is sealed and its rules abstract.)
 */
public class OpTest {
    /** An input each layer accepts, and the arguments it needs. */
    public static String use(String layer) {
        if (layer.startsWith("conv_transpose")) return input(layer.charAt(14) - '0') + " -> " + layer + "(3, kernel: 2, stride: 2)";
        if (layer.startsWith("conv")) return input(layer.charAt(4) - '0') + " -> " + layer + "(3, kernel: 2)";
        if (layer.contains("pool") && !layer.startsWith("global")) return input(layer.charAt(layer.length() - 2) - '0') + " -> " + layer + "(2)";
        return switch (layer) {
            case "global_avgpool", "global_maxpool" -> input(2) + " -> " + layer;
            case "upsample" -> input(2) + " -> upsample(2)";
            case "dense" -> "seq -> dense(3, per_step: true)";
            case "maxout" -> "v -> maxout(3, pieces: 2)";
            case "dropout" -> "v -> dropout(0.5)";
            case "embedding" -> "ids -> embedding(10, 3)";
            case "rnn", "lstm" -> "seq -> " + layer + "(3)";
            case "gru" -> "seq -> gru(3, bidirectional: true)";
            case "layernorm" -> "seq -> layernorm";
            case "attention" -> "seq -> attention(2)";
            case "positional" -> "seq -> positional(5)";
            case "mean" -> "seq -> mean";
            case "add", "concat" -> layer + "(v, v)";
            default -> "v -> " + layer;
        };
    }

    private static String input(int dims) {
        return switch (dims) {
            case 1 -> "line";
            case 2 -> "image";
            default -> "volume";
        };
    }

    static Stream<String> layers() { return Op.signatures().keySet().stream(); }

    /** A trainable model M whose first layer is {@code layer}, with an input of every kind. */
    public static String model(String layer) {
        return """
                model M {
                    input v: [6]
                    input line: [2, 6]
                    input image: [2, 6, 6]
                    input volume: [2, 4, 4, 4]
                    input seq: [4, 2]
                    input ids: int[4]
                    output y = %s -> flatten -> dense(2)
                }
                train M { loss mse  optimizer sgd(lr: 0.1)  batch 2  epochs 1 }
                """.formatted(use(layer));
    }

    @ParameterizedTest @MethodSource("layers")
    void everyOpChecksLowersAndHasBothHalvesOfEveryKernel(String layer) {
        String dln = model(layer);
        Compiler.Result checked = Compiler.check(Source.of("op.dln", dln));
        assertThat(checked.diagnostics().all()).as(layer).allMatch(d -> d.severity() != Severity.ERROR);
        Network net = checked.networks().get("M");
        Network.Layer first = net.layers().get(0);
        assertThat(first.op().kind()).isEqualTo(layer);
        assertThat(Op.signatures().get(layer).doc()).as("documentation line").isNotBlank();

        Schedule schedule = Compiler.generate(checked, "t", "op.dln").get(0).schedule();
        for (var p : first.params()) {
            Slot slot = schedule.graph().plan().slot(first.name() + "." + p.name());
            assertThat(slot).as(p.name()).isNotNull();
            assertThat(slot.init()).as("initial values of " + p.name()).isNotNull();
        }
        String program = Program.source("op", schedule.kernels());
        List<Launch> all = new ArrayList<>(schedule.predict());
        all.addAll(schedule.backward());
        assertThat(all).isNotEmpty();
        for (Launch l : all) {
            assertThat(program).contains("__kernel void " + l.kernel().name() + "(");
            runReference(l.kernel(), l.buffers(), schedule);
        }
    }

    /** Runs the kernel's Java reference on random buffers of the plan's sizes, for a batch of 2. */
    private static void runReference(Kernel k, List<String> buffers, Schedule schedule) {
        Random random = new Random(1);
        Map<String, float[]> data = new HashMap<>();
        float[][] bufs = new float[buffers.size()][];
        for (int i = 0; i < bufs.length; i++) {
            Slot slot = schedule.graph().plan().slot(buffers.get(i));
            long size = slot.batched() ? 2 * slot.per() : slot.per();
            bufs[i] = data.computeIfAbsent(buffers.get(i), b -> {
                float[] a = new float[(int) size];
                for (int j = 0; j < a.length; j++) a[j] = b.startsWith("input:ids") ? random.nextInt(10) : (float) random.nextGaussian();
                return a;
            });
        }
        k.reference(2, 1, bufs);
    }

    @Test void namesAreUniqueAndEveryLayerTakesAName() {
        assertThat(Op.signatures()).allSatisfy((name, s) -> {
            assertThat(s.name()).isEqualTo(name);
            assertThat(s.args()).extracting(ArgSpec::name).contains("name").doesNotHaveDuplicates();
        });
    }

    /** A layer's own `init:` is applied to every layer that takes it; the train block's default leaves PyTorch's own defaults of embeddings, recurrent layers and PReLU. */
    @Test void aLayersOwnInitializerIsApplied() {
        String dln = """
                model M {
                    input ids: int[4]
                    input seq: [4, 2]
                    a = ids -> embedding(10, 3, init: zeros) -> flatten
                    b = seq -> lstm(3, init: xavier) -> prelu(init: uniform(0.1))
                    c = seq -> rnn(3) -> prelu
                    output y = concat(a, b, c, ids -> embedding(10, 2) -> flatten) -> dense(2)
                }
                train M { loss mse  optimizer sgd  init he_normal }
                """;
        Compiler.Result checked = Compiler.check(Source.of("init.dln", dln));
        var plan = Compiler.generate(checked, "t", "init.dln").get(0).schedule().graph().plan();
        assertThat(plan.slot("embedding_1.weight").init().kind()).isEqualTo("zeros");
        assertThat(plan.slot("lstm_1.weight_ih").init().kind()).isEqualTo("xavier");
        assertThat(plan.slot("lstm_1.bias_hh").init().kind()).isEqualTo("zeros");
        assertThat(plan.slot("prelu_1.weight").init().kind()).isEqualTo("uniform");
        assertThat(plan.slot("rnn_1.weight_hh").init().kind()).as("PyTorch's default, not the train block's").isEqualTo("uniform");
        assertThat(plan.slot("prelu_2.weight").init().kind()).isEqualTo("constant");
        assertThat(plan.slot("embedding_2.weight").init().kind()).isEqualTo("normal");
        assertThat(plan.slot("dense_1.weight").init().kind()).isEqualTo("he_normal");
    }

    /**
     * gelu and silu stay layers of their own after a dense layer (their gradient reads the dense
     * layer's output, their input), where relu runs as the product's epilogue and its gradient reads its output.
     */
    @Test void onlyActivationsWhoseGradientReadsTheirOutputFuse() {
        for (String act : new String[] {"relu", "gelu", "silu"}) {
            String dln = """
                    model M {
                        input v: [6]
                        output y = v -> dense(4) -> %s -> dense(2)
                    }
                    train M { loss mse  optimizer sgd }
                    """.formatted(act);
            Schedule schedule = Compiler.generate(Compiler.check(Source.of("fuse.dln", dln)), "t", "fuse.dln").get(0).schedule();
            // the activation's gradient runs as the epilogue of dense_2's input gradient (the Fuser's fold)
            List<Launch> grads = schedule.backward().stream().filter(l -> l.kernel() instanceof Gemm g && g.grad().act() != Act.LINEAR).toList();
            assertThat(grads).as(act).hasSize(1);
            assertThat(schedule.backward()).noneMatch(l -> l.kernel() instanceof dln.kernel.ActGrad);
            assertThat(((Gemm) grads.get(0).kernel()).grad().act().name()).isEqualToIgnoringCase(act);
            // fused, relu's output is dense_1's; gelu's and silu's outputs are theirs, and their gradients read dense_1's
            List<String> buffers = grads.get(0).buffers();
            assertThat(buffers.get(buffers.size() - 1)).as("what %s's gradient reads", act).isEqualTo("out:dense_1");
            boolean fused = schedule.predict().stream().noneMatch(l -> l.buffers().contains("out:" + act + "_1"));
            assertThat(fused).as("%s fused into dense_1", act).isEqualTo(act.equals("relu"));
        }
    }
}
