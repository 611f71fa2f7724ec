package dln.train;

import dln.net.Training;
import dln.runtime.Model;
import dln.runtime.data.DataError;
import dln.runtime.data.Dataset;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The train, validation and test examples of a run. {@code validation f} holds out a fraction of
 * the data, {@code split} cuts one source in three; either way after a shuffle that depends only on
 * the seed, so every run (and `dlnc eval`) with that seed sees the same split. Absent parts are null.
 */
public record Splits(Dataset train, Dataset validation, Dataset test) {

    /**
     * Reads the train block's data and test sources ({@code data} and {@code test}, when not null,
     * read from there instead: see {@link Sources#relocate}), fits their targets to the model and
     * splits them. Paths in the .dln file are relative to {@code dlnFolder}.
     */
    public static Splits load(Training t, Path dlnFolder, Model.Info info, Path data, Path test, long seed) {
        if (t.data() == null) throw new DataError("the train block of " + info.name() + " has no `data` setting, and no --data was given");
        Training.Source source = data == null ? t.data() : Sources.relocate(t.data(), data);
        Training.Source testSource = t.test() == null || test == null ? t.test() : Sources.relocate(t.test(), test);
        if (testSource == null && test != null) testSource = Sources.relocate(t.data(), test);
        if (t.targetsAreInputs()) {
            // the inputs become the targets part by part, after the split: made before it, the whole
            // source's (Fashion-MNIST's images: 188 MB of floats) were held while the parts' were copied
            Dataset testSet = testSource == null ? null : Sources.load(testSource, dlnFolder, info.inputShapes());
            Splits parts = of(t, Sources.load(source, dlnFolder, info.inputShapes()), testSet, seed);
            return new Splits(ownTargets(parts.train(), info), ownTargets(parts.validation(), info), ownTargets(parts.test(), info));
        }
        Dataset all = read(t, source, dlnFolder, info);
        Dataset testSet = testSource == null ? null : read(t, testSource, dlnFolder, info);
        return of(t, all, testSet, seed);
    }

    private static Dataset ownTargets(Dataset part, Model.Info info) {
        return part == null ? null : Sources.fit(Sources.inputsAsTargets(part), info);
    }

    /**
     * A source's examples with the targets the train block says, as training takes them: the
     * source's own fitted to the model (one file per output), or the inputs (`targets inputs`).
     */
    public static Dataset read(Training t, Training.Source source, Path dlnFolder, Model.Info info) {
        if (t.targetsAreInputs()) return Sources.fit(Sources.inputsAsTargets(Sources.load(source, dlnFolder, info.inputShapes())), info);
        return Sources.read(source, dlnFolder, t, info);
    }

    /** Splits {@code data} as the train block says; {@code test} (may be null), a separate test source, takes the place of a split's test part. */
    public static Splits of(Training t, Dataset data, Dataset test, long seed) {
        if (t.split() != null) {
            Training.Split s = t.split();
            int n = data.count();
            int validation = part(n, s.validation()), testCount = part(n, s.test());
            Dataset[] parts = cut(data, seed, n - validation - testCount, validation, testCount);
            return new Splits(parts[0], parts[1], test != null ? test : parts[2]);
        }
        if (t.validation() != null) {
            int validation = part(data.count(), t.validation());
            Dataset[] parts = cut(data, seed, data.count() - validation, validation, 0);
            return new Splits(parts[0], parts[1], test);
        }
        return new Splits(data, null, test);
    }

    /** round(n·fraction) examples, at least one when the fraction is not zero. */
    static int part(int n, double fraction) {
        if (fraction <= 0) return 0;
        return (int) Math.max(1, Math.round(n * fraction));
    }

    private static Dataset[] cut(Dataset data, long seed, int train, int validation, int test) {
        if (train < 1) {
            throw new DataError("the data has " + data.count() + " examples: too few to hold out " + (validation + test)
                    + " for validation and test and still train on some");
        }
        int[] order = Shuffle.permutation(data.count(), Shuffle.random(seed, "split"));
        return new Dataset[] {
            data.pick(Arrays.copyOfRange(order, 0, train)),   // not copied: the largest part, and the data is not held twice
            validation == 0 ? null : data.select(Arrays.copyOfRange(order, train, train + validation)),
            test == 0 ? null : data.select(Arrays.copyOfRange(order, train + validation, train + validation + test)),
        };
    }
}
