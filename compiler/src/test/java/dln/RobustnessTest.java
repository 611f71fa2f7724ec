package dln;

import static org.assertj.core.api.Assertions.assertThat;

import dln.diag.Diagnostic;
import dln.diag.Renderer;
import dln.diag.Source;
import dln.diag.Span;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Robustness: no input, however malformed, makes the compiler throw. Every input ends in success or
 * in diagnostics within a time limit, and every diagnostic renders, points inside its file and
 * quotes no more than a bounded part of it. The inputs are the samples, a few hand-written
 * snippets, mutants of both (truncated; tokens, names and characters deleted, duplicated, swapped,
 * inserted) and pathological inputs (deep nesting, long chains, blocks that expand exponentially,
 * huge numbers, control and non-BMP characters, odd line endings). The random generator has a
 * fixed seed, and a failure names the generator and shows the input, so that it can be reproduced.
 */
public class RobustnessTest {
    private static final long SEED = 0xD1_2026L;
    private static final Renderer RENDERER = new Renderer(false);

    /** The vocabulary that token insertion draws from: every token kind, keywords, layer names and nasty literals. */
    private static final List<String> VOCABULARY = List.of(
            "->", "(", ")", "[", "]", "{", "}", ":", ",", "=", "+", "-", "*", "/",
            "import", "const", "block", "model", "train", "input", "output", "return",
            "dense", "conv1d", "conv2d", "conv3d", "maxpool1d", "maxpool2d", "avgpool2d", "maxpool3d", "global_avgpool",
            "global_maxpool", "flatten", "dropout", "batchnorm", "embedding", "rnn", "lstm", "maxout", "add", "concat",
            "relu", "sigmoid", "tanh", "softmax", "step", "linear", "leaky_relu", "prelu", "elu", "gelu", "silu", "upsample",
            "loss", "optimizer", "schedule", "regularize", "init", "batch", "epochs", "data", "split", "augment",
            "early_stop", "metrics", "checkpoint", "seed", "shuffle", "validation", "test",
            "sgd", "adam", "perceptron", "cross_entropy", "mse", "xavier", "normal", "uniform", "inline", "csv", "idx",
            "kernel", "stride", "padding", "dilation", "name", "units", "x", "y", "h", "int", "float", "true", "false", "all",
            "0", "-1", "1", "2", "1e308", "1e999", "99999999999999999999", "0.5", "1e-999", "9007199254740993", ".5", "5.",
            "\"\\u00e9\"", "\"\\q\"", "\"\\u12\"", "\"\\u\"", "\"\\\"", "\"", "\"unterminated", "\"\"", "\"a/b.csv\"",
            "/*", "*/", "/* unterminated", "// comment\n", "//", "\n", "\r", "\r\n", "\t", " ",
            "\u0000", "\u007f", "\u001b[31m", "\u00e9", "\u4e2d\u6587", "\u05e9\u05dc\u05d5\u05dd", "\u202e", "\ud83d\ude00",
            "\ud800", "\udc00", "\ufeff", "\ufffd", "$", "@", "#", ";", "?", "!", "%", ".", "\\");

    /** Characters that character insertion draws from, besides the vocabulary's. */
    private static final String ODD_CHARS = "(){}[]:,=+-*/\"\\.0123456789eE_aZ \t\n\r\u0000\u0001\u0008\u000b\u000c\u001f"
            + "\u0085\u00a0\u2028\u2029\u200b\u00e9\u4e2d\u05d0\u202e\ufeff\ufffd\ud800\udc00";

    private static final Pattern TOKEN = Pattern.compile(
            "\"(?:\\\\.|[^\"\\\\\\r\\n])*\"?|//[^\\r\\n]*|/\\*.*?(?:\\*/|\\z)|->|[A-Za-z_][A-Za-z0-9_]*"
            + "|[0-9]+(?:\\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\\s+|.", Pattern.DOTALL);

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** The names in the vocabulary. */
    private static final List<String> NAMES = VOCABULARY.stream().filter(w -> IDENTIFIER.matcher(w).matches()).toList();

    private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z0-9_.])[0-9]+(?:\\.[0-9]*)?(?:[eE][+-]?[0-9]+)?");

    private static final List<String> HUGE = List.of("1e18", "1e15", "1e300", "1e999", "99999999999999999999",
            "9007199254740992", "9007199254740993", "2147483648", "4294967296", "0", "-1", "0.5", "1e-320", "-1e308");

    /** name -> text of every sample file. */
    private static final Map<String, String> SAMPLES = new LinkedHashMap<>();

    @BeforeAll
    public static void readSamples() throws IOException {
        SAMPLES.putAll(samples());
        assertThat(SAMPLES).as("sample files under ../samples").hasSizeGreaterThanOrEqualTo(10);
    }

    /** name -> text of every sample file, its imports pointed at the files from the working directory. */
    static Map<String, String> samples() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        Path samples = Path.of("../samples");
        for (Path dir : List.of(samples, samples.resolve("blocks"), samples.resolve("errors"))) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".dln")).sorted().toList()) {
                    // In-memory text imports relative to the working directory (compiler/): point the
                    // samples' imports at their files, so that their mutants get past loading.
                    String folder = "../samples/" + (dir.equals(samples) ? "" : samples.relativize(dir) + "/");
                    String text = Files.readString(f, StandardCharsets.UTF_8).replace("import \"", "import \"" + folder);
                    out.put(samples.relativize(f).toString(), text);
                }
            }
        }
        return out;
    }

    /** One generated input, with how it was made. */
    public record Case(String origin, String text) {}

    /** Most seconds one input may take: more means work exponential or quadratic in the input. */
    private static final long LIMIT_SECONDS = 10;
    /** After this many inputs that hang (each leaves a compiler thread running), the rest are not run. */
    private static final int MAX_HANGS = 3;

    private static ExecutorService runner() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "robustness");
            t.setDaemon(true);
            return t;
        });
    }

    @Test
    @Timeout(300)
    void noInputMakesTheCompilerThrow() {
        List<Case> cases = cases();
        assertThat(cases).hasSizeGreaterThan(4_500);
        List<String> failures = new ArrayList<>();
        ExecutorService runner = runner();
        int hangs = 0;
        try {
            for (Case c : cases) {
                Future<String> result = runner.submit(() -> problem(c.text()));
                String problem;
                try {
                    problem = result.get(LIMIT_SECONDS, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    // The compiler's thread cannot be stopped; leave it and go on with a fresh runner.
                    result.cancel(true);
                    runner.shutdownNow();
                    runner = runner();
                    problem = "no result after " + LIMIT_SECONDS + " s: work exponential or quadratic in the input?";
                    hangs++;
                } catch (ExecutionException e) {
                    problem = "threw " + trace(e.getCause());
                }
                if (problem != null) failures.add(c.origin() + "\n    input: " + shown(c.text()) + "\n    " + problem);
                if (hangs == MAX_HANGS) {
                    failures.add("stopped after " + MAX_HANGS + " inputs that hang; the later ones were not run");
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            runner.shutdownNow();
        }
        assertThat(failures)
                .as(() -> failures.size() + " of " + cases.size() + " inputs failed; the first ones:\n"
                        + String.join("\n\n", failures.subList(0, Math.min(10, failures.size()))))
                .isEmpty();
    }

    /** Names are matched without the default locale: under Turkish, "linear".toUpperCase() is "LİNEAR". */
    @Test
    @Timeout(60)
    void noInputMakesTheCompilerThrowInAnotherLocale() {
        Locale before = Locale.getDefault();
        List<String> failures = new ArrayList<>();
        try {
            for (Locale locale : List.of(Locale.forLanguageTag("tr-TR"), Locale.forLanguageTag("ar-EG"), Locale.forLanguageTag("hi-IN-u-nu-deva"))) {
                Locale.setDefault(locale);
                List<String> inputs = new ArrayList<>(SAMPLES.values());
                inputs.addAll(snippets());
                for (String text : inputs) {
                    String problem = problem(text);
                    if (problem != null) failures.add(locale + ": " + shown(text) + "\n    " + problem);
                }
            }
        } finally {
            Locale.setDefault(before);
        }
        assertThat(failures).as(() -> String.join("\n\n", failures.subList(0, Math.min(5, failures.size())))).isEmpty();
    }

    /** What is wrong with checking {@code text}, or null when it ended in success or good diagnostics. */
    static String problem(String text) {
        Compiler.Result result;
        try {
            result = Compiler.check(Source.of("fuzz.dln", text));
        } catch (Throwable t) {
            return "Compiler.check threw " + trace(t);
        }
        return problem(result, text);
    }

    /** What is wrong with {@code result}, the outcome of checking {@code text}, or null when nothing is. */
    static String problem(Compiler.Result result, String text) {
        if (result == null || result.diagnostics() == null) return "Compiler.check returned no result";
        List<Diagnostic> all;
        try {
            all = result.diagnostics().all();
        } catch (Throwable t) {
            return "Diagnostics.all threw " + trace(t);
        }
        long quoted = 0;
        for (Diagnostic d : all) {
            Span s = d.span();
            int length = s.source().text().length();
            if (s.start() < 0 || s.start() > s.end() || s.end() > length) {
                return "span [" + s.start() + ", " + s.end() + ") is outside its " + length + "-char source " + s.source().name()
                        + " in diagnostic " + d.code() + ": " + d.message();
            }
            try {
                String rendered = RENDERER.render(d);
                if (rendered == null || rendered.isEmpty()) return "diagnostic " + d.code() + " rendered empty";
                quoted += rendered.length() - ownText(d);
            } catch (Throwable t) {
                return "rendering " + d.code() + " (" + d.message() + ") threw " + trace(t);
            }
        }
        if (quoted > (long) QUOTE_BUDGET * all.size() + 2L * text.length()) {
            return all.size() + " diagnostics quote " + quoted + " chars of a " + text.length() + "-char file: the output grows faster than the input";
        }
        if (!result.ok() && all.stream().noneMatch(Diagnostic::isError)) return "not ok, but no error diagnostic";
        if (result.ok() && (result.networks() == null || result.trainings() == null)) return "ok, but no networks";
        return null;
    }

    /** What quoting source lines may add to a diagnostic's own text, beyond twice the file. */
    private static final int QUOTE_BUDGET = 1_000;

    private static int ownText(Diagnostic d) {
        int n = d.headline().length() + 1;
        for (String line : d.helps()) n += line.length() + 32;
        for (String line : d.notes()) n += line.length() + 32;
        return n;
    }

    static String trace(Throwable t) {
        StringBuilder out = new StringBuilder(t.toString());
        StackTraceElement[] stack = t.getStackTrace();
        for (int i = 0; i < Math.min(8, stack.length); i++) out.append("\n        at ").append(stack[i]);
        if (t.getCause() != null && t.getCause() != t) out.append("\n      caused by ").append(t.getCause());
        return out.toString();
    }

    /** The input as a Java string literal, shortened to its start and end when long. */
    static String shown(String text) {
        String s = text.length() <= 300 ? text
                : text.substring(0, 200) + "<... " + (text.length() - 280) + " chars ...>" + text.substring(text.length() - 80);
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c > 0x7e) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append("\" (").append(text.length()).append(" chars)").toString();
    }

    /** Hand-written snippets: small programs that exercise each construct and the known corners. */
    static List<String> snippets() {
        return List.of(
                "",
                "// only a comment",
                "/* only a block comment */",
                "// one\n/* two\n */\n// three\n",
                "   \n\t\n  ",
                "\ufeffmodel M { input x: [2]\n output y = x -> dense(1) }",
                "model M { input x: [4]\n output y = x -> dense(3) -> softmax }\ntrain M { loss cross_entropy\n optimizer adam(lr: 1e-3) }",
                "const a = 1\nconst b = a + 2 * 3 / (4 - 1)\nmodel M { input x: [b]\n output y = x -> dense(a) }",
                "const a = b\nconst b = a\nmodel M { input x: [a]\n output y = x }",
                "const z = 1 / 0\nconst big = 1e308 * 10\nconst s = \"s\" + 1",
                "block b(x, n: int = 2, f: float = 0.5, t: tensor) { return x -> dense(n) }\nmodel M { input x: [3]\n output y = x -> b(n: 4) }",
                "block b(x) { return x -> b }\nmodel M { input x: [3]\n output y = x -> b }",
                "block a(x) { return x -> b }\nblock b(x) { return x -> c }\nblock c(x) { return x -> a }\nmodel M { input x: [3]\n output y = x -> a }",
                "block b(x) { input q: [1]\n output o = x\n return x\n h = x }\nmodel M { input x: [1]\n output y = b(x) }",
                "model M { return 1 }",
                "model M { }",
                "model M { input x: [] }",
                "model M { input x: int[3]\n output y = x -> embedding(10, dim: 4) -> lstm(2) }",
                "model M { input x: [3]\n output y = x -> embedding(10, dim: 4) }",
                "model M { input x: [2, 3]\n output y = concat(x, x, x) -> add(x) }",
                "model M { input x: [1, 8, 8]\n output y = x -> conv2d(2, kernel: 9) -> maxpool2d(size: 20, stride: 0) }",
                "model M { input x: [1, 8, 8]\n output y = x -> conv2d(2, kernel: [3, 3, 3], stride: [1], padding: [-1, 1]) }",
                "model M { input x: [4]\n output y = x -> dense(4, init: normal(0.1)) -> dense(4, init: uniform(limit: -1)) -> dense(1, init: foo(1)) }",
                "model M { input x: [4]\n output y = x -> dense(2, name: head) -> dense(2, name: head) -> dense(2, name: \"a.b\") }",
                "train M { loss mse }\ntrain M { loss mae }",
                "model M { input x: [4]\n output y = x -> dense(1) }\ntrain M { data inline(inputs: [[1, 2, 3, 4]], targets: [[1], [2, 3]])\n"
                        + " test inline(inputs: [], targets: 5)\n split train: 0.5, validation: 0.6\n early_stop monitor: val_foo, patience: -1\n"
                        + " batch all\n epochs 0\n seed 1e300\n metrics accuracy, accuracy, nope\n augment flip(diagonal), shift(2), noise(std: 0)\n"
                        + " optimizer perceptron\n loss hinge\n regularize l1(1), l1(2), l3(1)\n schedule step(every: 0)\n checkpoint 5 }",
                "model M { input x: [4]\n output y = x -> dense(1) }\ntrain M { data csv(\"a.csv\", label_column: -1, target_columns: [\"a\", 1.5])\n"
                        + " validation 0.1\n split train: 1\n test npy(inputs: \"a\", targets: \"b\")\n optimizer sgd(nesterov: true)\n loss mse, mae }",
                "import \"nowhere.dln\"\nimport \"\"\nimport \".\"\nimport \"fuzz.dln\"\nimport \"\\u0000\"\nimport \"../samples\"",
                "import \"../samples/tour.dln\"\nmodel M { input x: [3, 32, 32]\n output y = x -> conv_bn_relu(8) -> flatten -> dense(2) }",
                "model \u4e2d\u6587 { input \ud83d\ude00: [1] }",
                "model M { input x: [1]\n output y = x -> dense(1) } // \u05e9\u05dc\u05d5\u05dd \ud83d\ude00 \u202e",
                "model M { input x: [1]\n output y = x -> dense(1, name: \"\ud83d\ude00\") }",
                "model M {\r input x: [1]\r output y = x -> dense(1)\r}\r",
                "model M {\r\n input x: [1]\r\n output y = x -> dense(1)\r\n}\r\n",
                "model M {\n input x: [1]\n output y = x -> dense(1)\n}\u0000",
                "\u0000\u0000\u0000",
                "\"unterminated",
                "/* unterminated",
                "/* unterminated *",
                "model M { input x: [1]\n output y = x -> dense(\"\\u12\") -> dense(\"\\q\") }",
                "model M { input x: [1e999]\n output y = x -> dropout(1e999) }",
                "model M { input x: [-0]\n output y = x -> dropout(-0) }",
                "model M { input x: [1]\n output y = x -> dense(99999999999999999999) }",
                "model M { input x: [9007199254740992]\n output y = x -> dense(9007199254740992) }",
                "model M { input x: [1]\n output y = x -> dense(1e18) -> dense(1e18) }",
                "model M { input x: [1e15, 1e15] \n output y = x -> flatten }",
                "model M { input x: [3, 9007199254740992, 9007199254740992]\n output y = x -> conv2d(1e300, kernel: 1e300) }",
                "model M { input x: [3, 4096, 4096]\n output y = x -> conv2d(1, kernel: 3, dilation: 9007199254740992) }",
                "model M { input x: [3, 4, 4]\n output y = x -> conv2d(4, kernel: 3, stride: 9007199254740992, padding: 9007199254740992) }",
                "model M { input x: [3, 4, 4]\n output y = x -> maxpool2d(9007199254740992, padding: 9007199254740992) }",
                "model M { input x: [9007199254740992, 9007199254740992]\n output y = x -> lstm(9007199254740992, sequences: true) }",
                "model M { input x: int[9007199254740992]\n output y = x -> embedding(9007199254740992, dim: 9007199254740992) }",
                "model M { input x: [9007199254740992]\n output y = x -> maxout(9007199254740992, pieces: 9007199254740992) }",
                "model M { input x: [9007199254740992]\n output y = x -> batchnorm(momentum: 1e999, eps: 1e-999) -> prelu }",
                "model M { input x: [4096, 4096, 4096]\n output y = x -> global_avgpool }",
                "model M { input x: [4000000000, 4000000000]\n output y = add(x, x) }",
                "model M { input x: [3, 2]\n a = x -> rnn(4, activation: linear)\n b = x -> rnn(4, activation: sigmoid)\n"
                        + " c = x -> rnn(4, activation: relu, sequences: true) -> rnn(4, activation: tanh)\n output y = concat(a, b, c) }",
                "model M { input x: [3, 2]\n output y = x -> rnn(4, activation: \u0130) -> rnn(4, activation: \"linear\") }",
                "model M { input x: [4611686018427387904]\n output y = concat(x, x, x, x) }");
    }

    /** Every generated input: the samples, the snippets and their mutants, and the pathological ones. */
    public static List<Case> cases() {
        Random random = new Random(SEED);
        List<Case> seeds = new ArrayList<>();
        SAMPLES.forEach((name, text) -> seeds.add(new Case(name, text)));
        List<String> snippets = snippets();
        for (int i = 0; i < snippets.size(); i++) seeds.add(new Case("snippet " + i, snippets.get(i)));

        List<Case> out = new ArrayList<>(seeds);
        out.addAll(truncations(seeds, random, 400));
        out.addAll(tokenMutants(seeds, random, 2_300));
        out.addAll(nameMutants(seeds, random, 700));
        out.addAll(charMutants(seeds, random, 800));
        out.addAll(numberMutants(seeds, random));
        out.addAll(encodingVariants(seeds));
        out.addAll(pathological());
        return out;
    }

    /** Truncation at every token boundary of one sample, and at random offsets of every seed (from either end). */
    static List<Case> truncations(List<Case> seeds, Random random, int count) {
        List<Case> out = new ArrayList<>();
        String lenet = SAMPLES.get("lenet5.dln");
        int offset = 0;
        for (String token : tokens(lenet)) {
            offset += token.length();
            out.add(new Case("lenet5.dln cut after " + offset + " chars", lenet.substring(0, offset)));
        }
        for (int i = 0; i < count; i++) {
            Case seed = seeds.get(random.nextInt(seeds.size()));
            int at = random.nextInt(seed.text().length() + 1);
            out.add(i % 4 == 3 ? new Case(seed.origin() + " from " + at, seed.text().substring(at))
                    : new Case(seed.origin() + " cut at " + at, seed.text().substring(0, at)));
        }
        return out;
    }

    /** One to four token edits each: delete, duplicate, swap, insert from the vocabulary, replace, splice. */
    static List<Case> tokenMutants(List<Case> seeds, Random random, int count) {
        List<Case> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Case seed = seeds.get(random.nextInt(seeds.size()));
            List<String> tokens = new ArrayList<>(tokens(seed.text()));
            StringBuilder how = new StringBuilder();
            for (int e = 1 + random.nextInt(4); e > 0; e--) how.append(' ').append(mutateTokens(tokens, seeds, random));
            out.add(new Case(seed.origin() + " tokens:" + how, String.join("", tokens)));
        }
        return out;
    }

    /** One to three names replaced by other names: mostly still parses, so it reaches the checkers. */
    static List<Case> nameMutants(List<Case> seeds, Random random, int count) {
        List<Case> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Case seed = seeds.get(random.nextInt(seeds.size()));
            List<String> tokens = new ArrayList<>(tokens(seed.text()));
            List<Integer> names = new ArrayList<>();
            for (int t = 0; t < tokens.size(); t++) if (IDENTIFIER.matcher(tokens.get(t)).matches()) names.add(t);
            if (names.isEmpty()) continue;
            StringBuilder how = new StringBuilder();
            for (int e = 1 + random.nextInt(3); e > 0; e--) {
                int at = names.get(random.nextInt(names.size()));
                String word = random.nextInt(3) == 0 ? tokens.get(names.get(random.nextInt(names.size())))
                        : NAMES.get(random.nextInt(NAMES.size()));
                tokens.set(at, word);
                how.append(' ').append(at).append('=').append(word);
            }
            out.add(new Case(seed.origin() + " names:" + how, String.join("", tokens)));
        }
        return out;
    }

    /** One to four character edits each, which also split surrogate pairs and escapes. */
    static List<Case> charMutants(List<Case> seeds, Random random, int count) {
        List<Case> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Case seed = seeds.get(random.nextInt(seeds.size()));
            StringBuilder text = new StringBuilder(seed.text());
            StringBuilder how = new StringBuilder();
            for (int e = 1 + random.nextInt(4); e > 0; e--) how.append(' ').append(mutateChars(text, random));
            out.add(new Case(seed.origin() + " chars:" + how, text.toString()));
        }
        return out;
    }

    /** Huge and odd numbers in every number position of every seed (two per position in the samples). */
    static List<Case> numberMutants(List<Case> seeds, Random random) {
        List<Case> out = new ArrayList<>();
        for (Case seed : seeds) {
            Matcher m = NUMBER.matcher(seed.text());
            int perPosition = SAMPLES.containsKey(seed.origin()) ? 2 : 1;
            while (m.find()) {
                for (int k = 0; k < perPosition; k++) {
                    String huge = HUGE.get(random.nextInt(HUGE.size()));
                    out.add(new Case(seed.origin() + " number at " + m.start() + " -> " + huge,
                            seed.text().substring(0, m.start()) + huge + seed.text().substring(m.end())));
                }
            }
        }
        return out;
    }

    /** Every seed with other line endings, non-ASCII names and text, and control characters. */
    static List<Case> encodingVariants(List<Case> seeds) {
        List<Case> out = new ArrayList<>();
        for (Case seed : seeds) {
            String t = seed.text();
            out.add(new Case(seed.origin() + " CRLF", t.replace("\n", "\r\n")));
            out.add(new Case(seed.origin() + " CR", t.replace("\n", "\r")));
            out.add(new Case(seed.origin() + " LFCR", t.replace("\n", "\n\r")));
            out.add(new Case(seed.origin() + " tabs and form feeds", t.replace(" ", "\t").replace("\n", "\f\n")));
            out.add(new Case(seed.origin() + " emoji names", t.replaceAll("\\b(x|h|y|image|features|probs)\\b", "$1\ud83d\ude00")));
            out.add(new Case(seed.origin() + " CJK names", t.replaceAll("\\b(x|h|y|image)\\b", "\u4e2d$1")));
            out.add(new Case(seed.origin() + " emoji in comments and strings",
                    t.replace("//", "// \ud83d\ude00\u202e\u05e9\u05dc\u05d5\u05dd ").replace("\"", "\"\ud83d\ude00\u4e2d")));
            out.add(new Case(seed.origin() + " NUL lines", t.replace("\n", "\u0000\n")));
            out.add(new Case(seed.origin() + " BOM and U+2028", "\ufeff" + t.replace("\n", "\u2028")));
        }
        return out;
    }

    /** Deep nesting, long chains, blocks that expand without end, and big inputs. */
    static List<Case> pathological() {
        List<Case> out = new ArrayList<>();
        out.addAll(nesting());
        out.addAll(chains());
        out.addAll(expansions());
        out.addAll(bigInputs());
        return out;
    }

    static List<Case> nesting() {
        String model = "\nmodel M { input x: [c]\n output y = x }";
        return List.of(
                new Case("10,000 nested parentheses", "model M { input x: [1]\n output y = " + "(".repeat(10_000) + "x" + ")".repeat(10_000) + " }"),
                new Case("10,000 open parentheses", "const c = " + "(".repeat(10_000)),
                new Case("10,000 close parentheses", "const c = 1" + ")".repeat(10_000)),
                new Case("5,000 nested lists", "const c = " + "[".repeat(5_000) + "1" + "]".repeat(5_000)),
                new Case("5,000 nested braces", "model M " + "{".repeat(5_000) + "}".repeat(5_000)),
                new Case("256 nested parentheses", "const c = " + "(".repeat(256) + "1" + ")".repeat(256) + model),
                new Case("250 nested lists as inline data", "model M { input x: [1]\n output y = x }\ntrain M { data inline(inputs: "
                        + "[".repeat(250) + "1" + "]".repeat(250) + ", targets: [1]) }"),
                new Case("5,000 unary minus", "const c = " + "-".repeat(5_000) + "1" + model),
                new Case("5,000 unary minus with spaces", "model M { input x: [" + "- ".repeat(5_000) + "1]\n output y = x }"));
    }

    static List<Case> chains() {
        return List.of(
                new Case("20,000 -> relu", "model M { input x: [4]\n output y = x" + " -> relu".repeat(20_000) + " }"),
                new Case("40,000 -> relu after an emoji", "// \ud83d\ude00\nmodel M { input x: [4]\n output y = x" + " -> relu".repeat(40_000) + " }"),
                new Case("5,000 -> dense(1)", "model M { input x: [4]\n output y = x" + " -> dense(1)".repeat(5_000) + " }"),
                new Case("20,000 additions", "const c = 1" + " + 1".repeat(20_000) + "\nmodel M { input x: [c]\n output y = x }"),
                new Case("20,000 products", "const c = 1" + " * 2".repeat(20_000)),
                new Case("10,000 list items", "model M { input x: [" + "1, ".repeat(10_000) + "1]\n output y = x }"),
                new Case("10,000 arguments", "model M { input x: [1]\n output y = x -> dense(" + "1, ".repeat(10_000) + "1) }"),
                new Case("5,000 concat inputs", "model M { input x: [1]\n output y = concat(" + "x, ".repeat(5_000) + "x) }"),
                new Case("5,000 bindings", "model M { input x: [1]\n" + "h = x -> relu\n".repeat(5_000) + " output y = h }"),
                new Case("a chain of 5,000 constants", numbered(1, 4_999, i -> "const c" + i + " = c" + (i - 1) + " + 1")
                        + "const c0 = 1\nmodel M { input x: [c4999]\n output y = x }"),
                new Case("a cycle of 5,000 constants", numbered(1, 4_999, i -> "const c" + i + " = c" + (i - 1) + " + 1") + "const c0 = c4999"),
                new Case("a chain of 2,000 blocks", "block b0(x) { return x -> relu }\n"
                        + numbered(1, 1_999, i -> "block b" + i + "(x) { return x -> b" + (i - 1) + " }")
                        + "model M { input x: [1]\n output y = x -> b1999 }"),
                new Case("a cycle of 500 blocks", numbered(0, 499, i -> "block b" + i + "(x) { return x -> b" + (i + 1) % 500 + " }")
                        + "model M { input x: [1]\n output y = x -> b0 }"),
                new Case("2,000 models", "model M { input x: [1]\n output y = x -> dense(1) }\n".repeat(2_000)),
                new Case("2,000 train blocks", "model M { input x: [1]\n output y = x -> dense(1) }\n"
                        + "train M { loss mse\n optimizer sgd }\n".repeat(2_000)));
    }

    /** Blocks are expanded where they are called: each calling the one before twice doubles the model. */
    static List<Case> expansions() {
        String model = "model M { input x: [1]\n output y = x -> d40 }";
        return List.of(
                new Case("blocks that call each other twice, 10 deep", "block d0(x) { return x -> relu }\n"
                        + numbered(1, 10, i -> "block d" + i + "(x) { return add(x -> d" + (i - 1) + ", x -> d" + (i - 1) + ") }")
                        + "model M { input x: [1]\n output y = x -> d10 }"),
                new Case("blocks that call each other twice, 40 deep (2^41 layers)", "block d0(x) { return add(x -> relu, x) }\n"
                        + numbered(1, 40, i -> "block d" + i + "(x) { return x -> d" + (i - 1) + " -> d" + (i - 1) + " }") + model),
                new Case("blocks without layers that call each other twice, 40 deep", "block d0(x) { return x }\n"
                        + numbered(1, 40, i -> "block d" + i + "(x) { return d" + (i - 1) + "(d" + (i - 1) + "(x)) }") + model),
                new Case("a block that calls itself in its default", "block b(x, y = b(x)) { return y }\nmodel M { input x: [1]\n output y = b(x) }"));
    }

    static List<Case> bigInputs() {
        List<Case> out = new ArrayList<>(List.of(
                new Case("a 100,000-char name", "model " + "a".repeat(100_000) + " { input x: [1]\n output y = x -> " + "b".repeat(50_000) + " }"),
                new Case("a 100,000-digit number", "const c = " + "9".repeat(100_000) + "\nconst d = 0." + "0".repeat(100_000) + "1"),
                new Case("a 100,000-char string", "import \"" + "a/".repeat(50_000) + "\""),
                new Case("a 100,000-char comment", "// " + "\ud83d\ude00".repeat(50_000)),
                new Case("50,000 unexpected characters on one line", "$".repeat(50_000)),
                new Case("50,000 control characters", "\u0001\u0000\u001f".repeat(17_000)),
                new Case("50,000 unterminated strings", "\"\n".repeat(50_000)),
                new Case("14,000 lone surrogates", "\ud800x\udc00".repeat(7_000)),
                new Case("50,000 CRs", "\r".repeat(50_000) + "model")));
        if (Files.isReadable(Path.of("/dev/zero"))) {
            out.add(new Case("imports of devices", "import \"/dev/zero\"\nimport \"/dev/urandom\"\nimport \"/dev/null\"\nimport \"/proc/self/status\""));
        }
        return out;
    }

    /** The lines {@code line(from)} to {@code line(to)}, each ending in a newline. */
    static String numbered(int from, int to, IntFunction<String> line) {
        StringBuilder out = new StringBuilder();
        for (int i = from; i <= to; i++) out.append(line.apply(i)).append('\n');
        return out.toString();
    }

    /** Splits text into tokens (whitespace, comments and strings are tokens too), so that joining them gives it back. */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) out.add(m.group());
        return out;
    }

    private static String mutateTokens(List<String> tokens, List<Case> seeds, Random random) {
        int n = tokens.size();
        int i = n == 0 ? 0 : random.nextInt(n);
        switch (n == 0 ? 3 : random.nextInt(7)) {
            case 0 -> {
                tokens.remove(i);
                return "delete@" + i;
            }
            case 1 -> {
                tokens.add(i, tokens.get(i));
                return "duplicate@" + i;
            }
            case 2 -> {
                int j = random.nextBoolean() ? Math.min(n - 1, i + 1 + random.nextInt(2)) : random.nextInt(n);
                String t = tokens.get(i);
                tokens.set(i, tokens.get(j));
                tokens.set(j, t);
                return "swap@" + i + "," + j;
            }
            case 3, 4 -> {
                String word = VOCABULARY.get(random.nextInt(VOCABULARY.size()));
                tokens.add(i, random.nextBoolean() ? word : " " + word + " ");
                return "insert@" + i;
            }
            case 5 -> {
                tokens.set(i, VOCABULARY.get(random.nextInt(VOCABULARY.size())));
                return "replace@" + i;
            }
            default -> {
                // Splice a run of tokens from another seed, or delete a run.
                int len = 1 + random.nextInt(Math.max(1, Math.min(30, n - i)));
                if (random.nextBoolean()) {
                    tokens.subList(i, Math.min(n, i + len)).clear();
                    return "delete-run@" + i + "+" + len;
                }
                List<String> other = tokens(seeds.get(random.nextInt(seeds.size())).text());
                if (other.isEmpty()) return "splice-nothing";
                int from = random.nextInt(other.size());
                tokens.addAll(i, other.subList(from, Math.min(other.size(), from + len)));
                return "splice@" + i + "+" + len;
            }
        }
    }

    private static String mutateChars(StringBuilder text, Random random) {
        int n = text.length();
        int i = n == 0 ? 0 : random.nextInt(n);
        switch (n == 0 ? 3 : random.nextInt(5)) {
            case 0 -> {
                text.deleteCharAt(i);
                return "delete@" + i;
            }
            case 1 -> {
                text.insert(i, text.charAt(i));
                return "duplicate@" + i;
            }
            case 2 -> {
                if (i + 1 < n) {
                    char c = text.charAt(i);
                    text.setCharAt(i, text.charAt(i + 1));
                    text.setCharAt(i + 1, c);
                }
                return "swap@" + i;
            }
            case 3 -> {
                text.insert(i, ODD_CHARS.charAt(random.nextInt(ODD_CHARS.length())));
                return "insert@" + i;
            }
            default -> {
                text.setCharAt(i, ODD_CHARS.charAt(random.nextInt(ODD_CHARS.length())));
                return "replace@" + i;
            }
        }
    }
}
