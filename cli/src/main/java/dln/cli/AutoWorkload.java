package dln.cli;

import dln.net.Training;
import dln.runtime.Backend;
import dln.runtime.Model;
import dln.runtime.device.Backends;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What `auto` times on the CPU's OpenCL device and on the JVM to choose between them: for a command
 * that trains (`train`, `bench`), a training step at the train block's batch (256 when it trains on
 * all the data at once); for one that predicts (`predict`, `eval`), or a model without a train block,
 * a prediction batch of 256. The two are timed and kept apart: a model whose prediction favours
 * the other backend predicts there. On inputs and targets of zeros: every kernel's time is the
 * same whatever the values (a class index of 0 and token 0 are valid for every loss and embedding).
 */
record AutoWorkload(Run.Compiled compiled, boolean predicting) implements Backends.Workload {
    /** The batch timed when a model trains on all its data at once, or does not train, or predicts. */
    static final int PREDICTION_BATCH = 256;

    /** The train block whose step is timed: none when the command predicts. */
    private Training training() { return predicting ? null : compiled.checked().trainings().get(compiled.generated().model()); }

    @Override public int batch() {
        Training t = training();
        return t == null || t.batch() == Training.ALL ? PREDICTION_BATCH : (int) Math.min(t.batch(), 1 << 16);
    }

    @Override public String what() {
        return (training() != null ? "a training step of " : "a prediction of ") + compiled.generated().model() + " at batch " + batch();
    }

    /** The model, the step, the batch, and a digest of the kernels' OpenCL source: an edited model is timed again. */
    @Override public String key() {
        return compiled.generated().model() + (training() != null ? " training step" : " prediction") + " at batch " + batch() + ", kernels "
                + digest(compiled.generated().opencl());
    }

    @Override public Backends.Trial start(Backend backend) {
        boolean train = training() != null;
        int n = batch();
        Model model = compiled.create(backend, n, !train);
        try {
            model.initialize(0);
            Model.Info info = model.info();
            float[][] inputs = new float[info.inputShapes().size()][];
            for (int i = 0; i < inputs.length; i++) {
                long size = n;
                for (long d : info.inputShapes().get(i)) size *= d;
                inputs[i] = new float[Math.toIntExact(size)];
            }
            float[] targets = train ? new float[Math.toIntExact(n * model.targetWidth())] : null;
            return new Backends.Trial() {
                @Override public void step() {
                    if (train) {
                        model.trainStep(n, targets, inputs);
                        model.backend().finish();
                    } else {
                        model.predict(n, inputs);
                    }
                }

                @Override public void close() { model.close(); }
            };
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
    }

    private static String digest(String text) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
