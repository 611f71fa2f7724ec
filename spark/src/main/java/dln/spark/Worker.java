package dln.spark;

import dln.cli.Job;
import dln.runtime.Backend;
import dln.runtime.Model;
import dln.runtime.io.Safetensors;
import dln.train.Augmenter;
import dln.train.Trainer;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One executor's part of a run: the job prepared from its {@link Job.Spec} (the .dln file compiled
 * and the data read and split here, from the same paths as the driver's), and the model of one
 * worker on its own backend. Kept from epoch to epoch in the executor's JVM, so that each epoch's
 * stage starts at once; a run's workers share one job (local mode runs them all in one JVM).
 */
final class Worker {
    private static final Map<String, Job> JOBS = new ConcurrentHashMap<>();
    private static final Map<String, Worker> WORKERS = new ConcurrentHashMap<>();

    final Job job;
    final Trainer.Settings settings;
    final Augmenter augmenter;
    private final Backend backend;
    final Model model;

    private Worker(Job job, String device, int maxBatch) {
        this.job = job;
        var t = job.training();
        this.settings = new Trainer.Settings(t.epochs(), t.batch(), job.seed(), t.shuffle(), t.augment(), t.schedule(), t.earlyStop(),
                List.of(), null, false);
        this.augmenter = new Augmenter(t.augment(), job.splits().train().inputShape());
        this.backend = job.backend(device, new PrintWriter(System.err, true));
        this.model = job.create(backend, maxBatch);
    }

    /** Worker {@code partition} of run {@code run}, made on first use; its model takes shares of up to {@code maxBatch}. */
    static Worker of(String run, Job.Spec spec, int partition, int maxBatch) {
        return WORKERS.computeIfAbsent(run + "/" + partition, k -> {
            Job job = JOBS.computeIfAbsent(run, r -> prepare(spec));
            return new Worker(job, spec.device(), maxBatch);
        });
    }

    /** The job {@code spec} describes, as this executor sees it: it must see the driver's file and data. */
    static Job prepare(Job.Spec spec) {
        Job job = Job.prepare(spec, new PrintWriter(System.err, true));
        String here = job.fingerprint(spec.file());
        if (!here.equals(spec.fingerprint())) {
            throw new IllegalStateException("an executor reads another " + spec.file() + " or other data than the driver (fingerprint " + here
                    + ", the driver's " + spec.fingerprint() + "): every executor must read the same file and data at the same path");
        }
        return job;
    }

    /** Drops what this JVM holds of run {@code run} (the driver's, in local mode, where the executors live in it). */
    static void forget(String run) {
        JOBS.remove(run);
        WORKERS.entrySet().removeIf(e -> {
            if (!e.getKey().startsWith(run + "/")) return false;
            e.getValue().model.close();
            e.getValue().backend.close();
            return true;
        });
    }

    /** Sets the model to the state the driver sent: weights, optimizer state, step count, learning rate. */
    void start(State state) {
        state.into(model);
        model.setLearningRate(state.lr());
    }

    /** A model's weights (and state buffers), optimizer state, step count and learning rate, as they travel between driver and workers. */
    record State(Map<String, float[]> weights, Map<String, float[]> optimizer, long steps, double lr) implements java.io.Serializable {

        static State of(Model model) {
            Map<String, float[]> weights = new LinkedHashMap<>(), optimizer = new LinkedHashMap<>();
            model.weights().forEach((name, t) -> weights.put(name, t.data()));
            model.optimizerState().forEach((name, t) -> optimizer.put(name, t.data()));
            return new State(weights, optimizer, model.steps(), model.learningRate());
        }

        /** Sets {@code model} to this state (the learning rate excepted: the driver's schedule sets it). */
        void into(Model model) {
            weights.forEach(model::setParameter);
            Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
            optimizer.forEach((name, values) -> tensors.put(name, new Safetensors.Tensor(new long[] {values.length}, values)));
            model.setOptimizerState(tensors, "the workers' optimizer state");
            model.setSteps(steps);
        }
    }
}
