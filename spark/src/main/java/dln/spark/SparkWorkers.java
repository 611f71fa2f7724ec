package dln.spark;

import dln.cli.Cluster;
import dln.cli.Job;
import dln.runtime.Model;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import scala.reflect.ClassTag$;

/**
 * A run's workers on Spark: each epoch is one barrier stage of {@code workers} tasks
 * ({@link EpochTask}), which Spark starts together or not at all, and retries together when one
 * fails (the stage is followed by a shuffle: Spark retries barrier stages only when they are
 * shuffle map stages); every task starts from the driver's state at the epoch's start, so a
 * retried stage repeats the epoch from there. The driver keeps the model, validates, and writes the checkpoints.
 */
final class SparkWorkers implements Cluster.Workers {
    private final JavaSparkContext spark;
    private final Job.Spec spec;
    private final int workers;
    private final String run = UUID.randomUUID().toString();

    SparkWorkers(JavaSparkContext spark, Job.Spec spec, int workers) {
        this.spark = spark;
        this.spec = spec;
        this.workers = workers;
    }

    @Override
    public String description() {
        return workers + " workers share each batch, on Spark " + spark.version() + " at " + spark.master();
    }

    @Override
    public Model.Metrics epoch(Model model, long epoch, int batch) {
        EpochTask task = new EpochTask(run, spec, epoch, batch, Worker.State.of(model));
        List<EpochTask.Result> results;
        try {
            // The shuffle after the barrier stage makes it a shuffle map stage, which Spark runs again when a task or an
            // executor fails; a barrier result stage it does not retry.
            results = spark.parallelize(IntStream.range(0, workers).boxed().toList(), workers).rdd().barrier()
                    .mapPartitions(task, false, ClassTag$.MODULE$.apply(EpochTask.Result.class)).toJavaRDD().repartition(1).collect();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {   // a SparkException, which Scala throws undeclared
            throw new Cluster.Failure("Spark gave up on epoch " + (epoch + 1) + ": " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        double loss = 0, correct = 0;
        long examples = 0, finite = Long.MAX_VALUE;
        EpochTask.Result first = null;
        for (EpochTask.Result r : results) {
            if (r.worker() == 0) first = r;
            if (r.weightsHash() != results.get(0).weightsHash()) {
                throw new IllegalStateException("the workers' weights differ after epoch " + (epoch + 1) + ": their devices computed the same"
                        + " update differently; run every worker on the same kind of device (--device)");
            }
            loss += r.lossSum();
            correct += r.correct();
            examples += r.examples();
            finite = Math.min(finite, r.finiteBatches());
        }
        if (first == null) throw new IllegalStateException("no result from worker 0 of epoch " + (epoch + 1));
        first.end().into(model);
        model.takeMetrics();   // the driver's own totals: none from this epoch, which ran elsewhere
        return new Model.Metrics(examples == 0 ? Double.NaN : loss / examples, examples == 0 ? Double.NaN : correct / examples, examples, finite);
    }

    @Override
    public void close() {
        Worker.forget(run);
        spark.stop();
    }
}
