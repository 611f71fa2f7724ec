package dln.spark;

import dln.cli.Job;
import dln.runtime.Model;
import dln.runtime.data.Dataset;
import dln.train.Inputs;
import dln.train.Trainer;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import scala.Function1;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One epoch on one worker, as a task of a barrier stage: from the driver's state, each step takes
 * this worker's share of the batch (the examples of the one-process order, {@link Trainer#order}),
 * computes its gradient, weights it by its share, sums it with the other workers'
 * ({@link Ring}) and applies the sum, as every worker does; so the workers' weights stay
 * equal, and equal to one process's up to the order of the additions. With augmentation every
 * worker builds and augments the whole batch and keeps its share, so the draws are the one
 * process's too.
 */
record EpochTask(String run, Job.Spec spec, long epoch, int batch, Worker.State start)
        implements Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<EpochTask.Result>>, Serializable {

    /** A worker's epoch: its loss totals, a hash of its final weights, and (worker 0 only) the state after the epoch. */
    record Result(int worker, double lossSum, double correct, long examples, long finiteBatches, int weightsHash, Worker.State end)
            implements Serializable {}

    @Override
    public scala.collection.Iterator<Result> apply(scala.collection.Iterator<Integer> partition) {
        BarrierTaskContext context = BarrierTaskContext.get();
        Result r = run(context, context.partitionId(), context.numPartitions());
        return CollectionConverters.asScala(List.of(r).iterator());
    }

    private Result run(BarrierTaskContext context, int worker, int workers) {
        try (Ring ring = Ring.open(context)) {
            return run(ring, worker, workers);
        }
    }

    private Result run(Ring ring, int worker, int workers) {
        Worker w = Worker.of(run, spec, worker, (batch + workers - 1) / workers);
        Model model = w.model;
        w.start(start);
        model.takeMetrics();
        Dataset train = w.job.splits().train();
        int n = train.count(), steps = (n + batch - 1) / batch;
        int[] order = Trainer.order(w.settings, epoch, n);
        float[] x = new float[Math.toIntExact(batch * train.inputSize())], y = new float[Math.toIntExact(batch * train.targetWidth())];
        List<long[]> shapes = model.info().inputShapes();
        for (int b = 0; b < steps; b++) {
            int from = b * batch, m = Math.min(batch, n - from);
            Shard share = Shard.of(m, worker, workers);
            load(w, order, b, from, m, share, x, y);
            model.computeGradients(share.count(), y, Inputs.unpack(x, share.count(), shapes));
            float[] g = model.gradients();
            float weight = share.count() == 0 ? 0 : share.weight(m);   // a worker without a share adds nothing
            for (int i = 0; i < g.length; i++) g[i] *= weight;
            model.applyGradients(ring.sum(g));
        }
        Model.Metrics metrics = model.takeMetrics();
        boolean any = metrics.examples() > 0;
        return new Result(worker, any ? metrics.loss() * metrics.examples() : 0, any ? metrics.accuracy() * metrics.examples() : 0,
                metrics.examples(), any ? metrics.finiteBatches() : Long.MAX_VALUE, hash(model), worker == 0 ? Worker.State.of(model) : null);
    }

    /**
     * This worker's share of step {@code b}'s batch (examples {@code from} to {@code from + m} of
     * the order) into the start of {@code x} and {@code y}; with augmentation, the whole batch is
     * augmented first, with the one-process draws.
     */
    private void load(Worker w, int[] order, int b, int from, int m, Shard share, float[] x, float[] y) {
        Dataset train = w.job.splits().train();
        if (w.augmenter.isEmpty()) {
            Trainer.batch(train, order, from + share.from(), share.count(), x, y);
            return;
        }
        int per = (int) train.inputSize(), width = (int) train.targetWidth();
        Trainer.batch(train, order, from, m, x, y);
        w.augmenter.apply(x, m, Trainer.augmentation(w.settings, epoch, b));
        System.arraycopy(x, share.from() * per, x, 0, share.count() * per);
        System.arraycopy(y, share.from() * width, y, 0, share.count() * width);
    }

    /** A hash of the trained weights, to check that the workers ended equal (batch norm's running statistics may not). */
    private static int hash(Model model) {
        int h = 1;
        for (String p : model.trainedParameters()) h = 31 * h + Arrays.hashCode(model.parameter(p));
        return h;
    }
}
